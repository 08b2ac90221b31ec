// Inserts the demo units (config/units.ts `UNITS`) that do not exist yet, then links parents by code.
// Existing units are left as an admin may have edited them.
import type { CategoryId, UnitLevel } from '../../shared/states.ts';
import type { Models, UnitDoc } from '../models/index.ts';
import { insertMissing } from './insert-missing.ts';

export interface UnitSpec {
  code: string;
  name: string;
  level: UnitLevel;
  region: string;
  parentCode?: string | null;
  categories?: readonly CategoryId[];
}

export async function seedUnits(models: Models, specs: readonly UnitSpec[]): Promise<UnitDoc[]> {
  const codes = specs.map((s) => s.code);
  const existing = new Set(
    (await models.Unit.find({ code: { $in: codes } }, { code: 1 }).lean()).map((u) => u.code),
  );
  const missing = specs.filter((s) => !existing.has(s.code));
  if (missing.length) {
    await insertMissing(
      models.Unit,
      missing.map((s) => ({
        code: s.code,
        name: s.name,
        level: s.level,
        region: s.region,
        categories: [...(s.categories ?? [])],
      })),
    );
  }
  const units = await models.Unit.find({ code: { $in: codes } }).lean();
  const byCode = new Map(units.map((u) => [u.code, u]));
  for (const spec of missing) {
    const parent = spec.parentCode ? byCode.get(spec.parentCode) : undefined;
    const unit = byCode.get(spec.code);
    if (parent && unit) {
      await models.Unit.updateOne({ _id: unit._id }, { $set: { parentId: parent._id } });
      unit.parentId = parent._id;
    }
  }
  // Keep the configured order (city departments, then counties and their townships).
  const ordered: UnitDoc[] = [];
  for (const code of codes) {
    const unit = byCode.get(code);
    if (unit) ordered.push(unit);
  }
  return ordered;
}

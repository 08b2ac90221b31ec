// Field whitelist for responsible units.
import { UNIT_LEVEL_LABELS } from '../../shared/states.ts';
import type { UnitDoc } from '../models/index.ts';

export function presentUnit(unit: UnitDoc) {
  return {
    id: String(unit._id),
    code: unit.code,
    name: unit.name,
    level: unit.level,
    levelLabel: UNIT_LEVEL_LABELS[unit.level],
    region: unit.region,
    parentId: unit.parentId ? String(unit.parentId) : null,
    categories: [...unit.categories],
  };
}

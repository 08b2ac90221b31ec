// Admin changes to the unit directory. A parent must exist, fit the unit's level and county
// (shared/states.ts unitParentMismatch: an 安吉 township under a 吴兴 bureau would put its issues in the wrong
// county's reach), and may not create a cycle.
import { unitParentMismatch, type CategoryId, type UnitLevel } from '../../../shared/states.ts';
import { badRequest, conflict, notFound } from '../../errors.ts';
import type { Models, UnitDoc } from '../../models/index.ts';
import { isDuplicateKey } from '../../db/duplicate-key.ts';

export interface CreateUnitInput {
  code: string;
  name: string;
  level: UnitLevel;
  region: string;
  parentId: string | null;
  categories: CategoryId[];
}

export interface UpdateUnitInput {
  name?: string;
  parentId?: string | null;
  categories?: CategoryId[];
}

async function checkParent(
  models: Models,
  parentId: string | null | undefined,
  unit: Pick<UnitDoc, 'level' | 'region'>,
  selfId?: string,
): Promise<void> {
  if (!parentId) return;
  const parent = await models.Unit.findById(parentId, { level: 1, region: 1 }).lean();
  if (!parent) throw badRequest('上级单位不存在', 'unknown_unit');
  const mismatch = unitParentMismatch(unit, parent);
  if (mismatch) throw badRequest(mismatch, 'invalid_parent');
  // Walk up from the proposed parent: reaching the unit itself would make a cycle.
  let cursor: string | null = parentId;
  for (let depth = 0; cursor && depth < 20; depth++) {
    if (cursor === selfId) throw badRequest('上级单位不能是自己或自己的下级', 'invalid_parent');
    const up: { parentId: unknown } | null = await models.Unit.findById(cursor, { parentId: 1 }).lean();
    if (!up) return;
    cursor = up.parentId ? String(up.parentId) : null;
  }
}

export async function createUnitCommand(models: Models, input: CreateUnitInput): Promise<UnitDoc> {
  await checkParent(models, input.parentId, input);
  if (await models.Unit.exists({ code: input.code })) throw conflict('单位代码已存在', 'duplicate');
  try {
    return (await models.Unit.create(input)).toObject();
  } catch (err) {
    if (isDuplicateKey(err)) throw conflict('单位代码已存在', 'duplicate');
    throw err;
  }
}

export async function updateUnitCommand(
  models: Models,
  id: string,
  input: UpdateUnitInput,
): Promise<UnitDoc> {
  const self = await models.Unit.findById(id, { level: 1, region: 1 }).lean();
  if (!self) throw notFound('单位不存在');
  await checkParent(models, input.parentId, self, id);
  const updated = await models.Unit.findByIdAndUpdate(
    id,
    { $set: input },
    { returnDocument: 'after', runValidators: true },
  ).lean();
  if (!updated) throw notFound('单位不存在');
  return updated;
}

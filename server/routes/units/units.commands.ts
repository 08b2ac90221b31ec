// Admin changes to the unit directory. A parent must exist and may not create a cycle.
import type { CategoryId, UnitLevel } from '../../../shared/states.ts';
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
  selfId?: string,
): Promise<void> {
  if (!parentId) return;
  // Walk up from the proposed parent: reaching the unit itself would make a cycle.
  let cursor: string | null = parentId;
  for (let depth = 0; cursor && depth < 20; depth++) {
    if (cursor === selfId) throw badRequest('上级单位不能是自己或自己的下级', 'invalid_parent');
    const parent: { parentId: unknown } | null = await models.Unit.findById(cursor, { parentId: 1 }).lean();
    if (!parent) {
      if (cursor === parentId) throw badRequest('上级单位不存在', 'unknown_unit');
      return;
    }
    cursor = parent.parentId ? String(parent.parentId) : null;
  }
}

export async function createUnitCommand(models: Models, input: CreateUnitInput): Promise<UnitDoc> {
  await checkParent(models, input.parentId);
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
  if (!(await models.Unit.exists({ _id: id }))) throw notFound('单位不存在');
  await checkParent(models, input.parentId, id);
  const updated = await models.Unit.findByIdAndUpdate(
    id,
    { $set: input },
    { returnDocument: 'after', runValidators: true },
  ).lean();
  if (!updated) throw notFound('单位不存在');
  return updated;
}

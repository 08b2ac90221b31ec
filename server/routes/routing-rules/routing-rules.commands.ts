// Admin routing rules. Every referenced unit must exist, so intake never routes to a dangling id; a rule's
// region may be a township's (shared/route-issue.ts ranks it above its county's).
import { REGION_CODES } from '../../../config/units.ts';
import type { CategoryId } from '../../../shared/states.ts';
import { badRequest, notFound } from '../../errors.ts';
import type { Models, RoutingRuleDoc } from '../../models/index.ts';

export interface RuleInput {
  category?: CategoryId;
  region?: string | null;
  unitId?: string;
  coUnitIds?: string[];
  priority?: number;
  keywords?: string[];
  enabled?: boolean;
}

/** A rule's region is the city, a county, or a township (its code): that township's enterprises only. */
async function checkRegion(models: Models, region: string | null | undefined): Promise<void> {
  if (!region || (REGION_CODES as readonly string[]).includes(region)) return;
  if (!(await models.Unit.exists({ code: region, level: 'township' })))
    throw badRequest('区域无效', 'validation_failed');
}

async function checkUnits(models: Models, input: RuleInput): Promise<void> {
  await checkRegion(models, input.region);
  const ids = [...(input.unitId ? [input.unitId] : []), ...(input.coUnitIds ?? [])];
  if (!ids.length) return;
  const unique = [...new Set(ids)];
  const found = await models.Unit.countDocuments({ _id: { $in: unique } });
  if (found !== unique.length) throw badRequest('规则引用的单位不存在', 'unknown_unit');
  if (input.unitId && input.coUnitIds?.includes(input.unitId)) {
    throw badRequest('主办单位不能同时是协办单位', 'validation_failed');
  }
}

export async function createRoutingRule(models: Models, input: Required<RuleInput>): Promise<RoutingRuleDoc> {
  await checkUnits(models, input);
  return (await models.RoutingRule.create(input)).toObject();
}

export async function updateRoutingRule(
  models: Models,
  id: string,
  input: RuleInput,
): Promise<RoutingRuleDoc> {
  await checkUnits(models, input);
  const updated = await models.RoutingRule.findByIdAndUpdate(
    id,
    { $set: input },
    { returnDocument: 'after', runValidators: true },
  ).lean();
  if (!updated) throw notFound('路由规则不存在');
  return updated;
}

export async function deleteRoutingRule(models: Models, id: string): Promise<void> {
  const { deletedCount } = await models.RoutingRule.deleteOne({ _id: id });
  if (deletedCount === 0) throw notFound('路由规则不存在');
}

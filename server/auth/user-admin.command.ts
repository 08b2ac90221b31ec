// Staff account administration (admin only): create an account, and change role, unit, password or the
// disabled flag. Any change that affects what a token grants bumps tokenVersion, revoking live sessions.
import type { Actor, Role } from '../../shared/roles.ts';
import { CITY_REGION, ROLE_LABELS, UNIT_ROLES } from '../../shared/roles.ts';
import { badRequest, conflict, forbidden, notFound } from '../errors.ts';
import type { Models, UserDoc } from '../models/index.ts';
import { canEditUser } from '../policies/index.ts';
import { hashPassword } from './password.ts';
import { isDuplicateKey } from '../db/duplicate-key.ts';

export interface CreateUserInput {
  username: string;
  name: string;
  password: string;
  role: Role;
  unitId?: string;
  region?: string;
}

export interface UpdateUserInput {
  name?: string;
  password?: string;
  role?: Role;
  unitId?: string | null;
  region?: string;
  disabled?: boolean;
}

async function resolveUnit(models: Models, unitId: string | null | undefined) {
  if (!unitId) return null;
  const unit = await models.Unit.findById(unitId, { region: 1 }).lean();
  if (!unit) throw badRequest('所属单位不存在', 'unknown_unit');
  return unit;
}

function requireUnitFor(role: Role, unitId: unknown) {
  if (UNIT_ROLES.includes(role) && !unitId)
    throw badRequest('经办人和负责人必须属于一个单位', 'unit_required');
}

/**
 * The region of someone without a unit who is not a leader: the city. Only a leader's region is a domain
 * (DESIGN §7 gives a leader a domain and no one else; issue.policy.ts, the workbench and the KPIs scope a leader
 * only): the centre's roles and the supervisor see the whole city whatever region they hold, so a county asked
 * for them is refused, not saved to do nothing (a 督查 of 安吉县 still saw every county).
 */
function cityWide(role: Role, region: string | undefined): string {
  if (region && region !== CITY_REGION)
    throw badRequest(
      `${ROLE_LABELS[role]}的工作范围为全市，不能设置区域（区域只决定领导的分管范围）`,
      'region_not_applicable',
    );
  return CITY_REGION;
}

export async function createUserCommand(models: Models, input: CreateUserInput): Promise<UserDoc> {
  requireUnitFor(input.role, input.unitId);
  const unit = await resolveUnit(models, input.unitId);
  if (await models.User.exists({ username: input.username })) throw conflict('用户名已存在', 'duplicate');
  try {
    const user = await models.User.create({
      username: input.username,
      name: input.name,
      passwordHash: await hashPassword(input.password),
      role: input.role,
      unitId: unit?._id ?? null,
      region:
        unit?.region ??
        (input.role === 'leader' ? (input.region ?? CITY_REGION) : cityWide(input.role, input.region)),
    });
    return user.toObject();
  } catch (err) {
    if (isDuplicateKey(err)) throw conflict('用户名已存在', 'duplicate');
    throw err;
  }
}

export async function updateUserCommand(
  models: Models,
  actor: Actor,
  userId: string,
  input: UpdateUserInput,
): Promise<UserDoc> {
  const user = await models.User.findById(userId);
  if (!user) throw notFound('用户不存在');
  if (!canEditUser(actor, { id: String(user._id) }, input)) {
    throw forbidden('不能停用或降级自己的账号', 'self_lockout');
  }
  const role = input.role ?? user.role;
  const unitId = input.unitId === undefined ? user.unitId : input.unitId;
  requireUnitFor(role, unitId);
  const unit = input.unitId === undefined ? null : await resolveUnit(models, input.unitId);

  let revoke = false;
  if (input.name !== undefined) user.name = input.name;
  const region = unitId
    ? (input.region ?? unit?.region ?? user.region)
    : role === 'leader'
      ? (input.region ?? user.region)
      : cityWide(role, input.region);
  // A leader's region is their domain: a live socket joined its rooms at connect, so it must reconnect.
  if (region !== user.region) {
    user.region = region;
    revoke = true;
  }
  if (input.unitId !== undefined && String(input.unitId) !== String(user.unitId)) {
    user.unitId = unit?._id ?? null;
    revoke = true;
  }
  if (input.role !== undefined && input.role !== user.role) {
    user.role = input.role;
    revoke = true;
  }
  if (input.disabled !== undefined && input.disabled !== user.disabled) {
    user.disabled = input.disabled;
    revoke = true;
  }
  if (input.password !== undefined) {
    user.passwordHash = await hashPassword(input.password);
    revoke = true;
  }
  if (revoke) user.tokenVersion += 1;
  await user.save();
  return user.toObject();
}

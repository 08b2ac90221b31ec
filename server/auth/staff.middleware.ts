// requireStaff: the gate in front of every staff endpoint. It accepts only a Bearer JWT with a valid signature
// and expiry whose tokenVersion still matches the (enabled) user in the database, so logout, disabling and
// role changes revoke outstanding tokens at once.
//
// That check is the one database read every staff request pays, so it is kept minimal: a point read by _id
// through the driver's collection (mongoose's query building and casting cost more than the read itself),
// projecting only what the actor needs, and shared with the requests checked at the same moment (one `$in`
// read, server/db/batched-ops.ts). It is never cached: each read starts after its request arrived, so
// revocation is immediate in every process.
import type { RequestHandler } from 'express';
import type { Collection } from 'mongodb';
import { Types } from 'mongoose';
import type { Actor } from '../../shared/roles.ts';
import { batchedFindByUnique } from '../db/batched-ops.ts';
import { forbidden, unauthorized } from '../errors.ts';
import { actorOf } from '../http/request-context.ts';
import type { Models, UserDoc } from '../models/index.ts';
import type { TokenSigner } from './token.ts';

type AuthUser = Pick<
  UserDoc,
  '_id' | 'username' | 'name' | 'role' | 'unitId' | 'region' | 'disabled' | 'tokenVersion'
>;

const AUTH_PROJECTION = {
  username: 1,
  name: 1,
  role: 1,
  unitId: 1,
  region: 1,
  disabled: 1,
  tokenVersion: 1,
} as const;

/**
 * The actor a staff JWT stands for, or undefined when the token is bad, expired, revoked (tokenVersion moved)
 * or its user is disabled. Shared by requireStaff and the realtime socket handshake.
 */
export async function authenticateStaffToken(
  models: Models,
  tokens: TokenSigner,
  token: unknown,
): Promise<Actor | undefined> {
  if (typeof token !== 'string') return undefined;
  const claims = tokens.verify(token);
  if (!claims || !Types.ObjectId.isValid(claims.sub)) return undefined;
  const users = models.User.collection as unknown as Collection;
  const id = new Types.ObjectId(claims.sub);
  const user = (await batchedFindByUnique(users, '_id', id, AUTH_PROJECTION)) as AuthUser | null;
  if (!user || user.disabled || user.tokenVersion !== claims.tv) return undefined;
  return {
    id: String(user._id),
    username: user.username,
    name: user.name,
    role: user.role,
    unitId: user.unitId ? String(user.unitId) : undefined,
    region: user.region,
  };
}

export function createRequireStaff(models: Models, tokens: TokenSigner): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw unauthorized('请先登录', 'unauthorized');
    const actor = await authenticateStaffToken(models, tokens, match[1]);
    if (!actor) throw unauthorized('登录已失效，请重新登录', 'invalid_token');
    req.actor = actor;
    next();
  };
}

/** Gate on a pure actor-level policy from server/policies (mount after requireStaff). */
export function requirePolicy(allowed: (actor: Actor) => boolean): RequestHandler {
  return (req, _res, next) => {
    if (!allowed(actorOf(req))) throw forbidden();
    next();
  };
}

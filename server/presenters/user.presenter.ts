// Field whitelists for staff accounts: the password hash and token version never leave the server.
import { roleLabelOf } from '../../shared/roles.ts';
import type { UserDoc } from '../models/index.ts';

type UserLike = Pick<UserDoc, '_id' | 'username' | 'name' | 'role' | 'unitId' | 'region' | 'disabled'>;

/** The §10 shape returned by login and listed by GET /api/users, plus display fields. */
export function presentUser(user: UserLike) {
  return {
    id: String(user._id),
    username: user.username,
    name: user.name,
    role: user.role,
    roleLabel: roleLabelOf({ role: user.role, region: user.region ?? undefined }),
    unitId: user.unitId ? String(user.unitId) : null,
    region: user.region,
    disabled: user.disabled,
  };
}

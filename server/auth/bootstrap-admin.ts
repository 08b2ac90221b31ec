// Outside demo mode there are no default passwords. The first admin comes from ADMIN_USERNAME/ADMIN_PASSWORD
// at start-up (only while no admin exists) or from `npm run create-admin`.
import { conflict } from '../errors.ts';
import type { Models, UserDoc } from '../models/index.ts';
import { CITY_REGION } from '../../shared/roles.ts';
import { hashPassword } from './password.ts';

export async function createAdmin(models: Models, username: string, password: string): Promise<UserDoc> {
  if (await models.User.exists({ username })) throw conflict(`用户名 ${username} 已存在`, 'duplicate');
  const user = await models.User.create({
    username,
    name: '系统管理员',
    role: 'admin',
    region: CITY_REGION,
    passwordHash: await hashPassword(password),
  });
  return user.toObject();
}

/**
 * Creates the configured admin when the database has no enabled admin; returns it, or undefined if none made.
 * A disabled admin of that name (e.g. the demo's `admin`, disabled outside demo mode) is enabled again with the
 * configured password and its old sessions revoked.
 */
export async function bootstrapAdmin(
  models: Models,
  username: string | undefined,
  password: string | undefined,
): Promise<UserDoc | undefined> {
  if (!username || !password) return undefined;
  if (await models.User.exists({ role: 'admin', disabled: { $ne: true } })) return undefined;
  const passwordHash = await hashPassword(password);
  const revived = await models.User.findOneAndUpdate(
    { username, role: 'admin', disabled: true },
    { $set: { disabled: false, passwordHash }, $inc: { tokenVersion: 1 } },
    { returnDocument: 'after' },
  ).lean();
  return revived ?? createAdmin(models, username, password);
}

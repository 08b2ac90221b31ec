// Outside demo mode, the demo's well-known ways in stop working. A database seeded by `npm start` (a trial run
// that later became the deployment, or a deployment started on the trial's DATA_DIR) holds accounts whose
// password is the printed demo1234 and channel credentials whose secrets are in the README. Start-up outside
// demo mode disables the accounts that still have the demo password (revoking their sessions) and revokes the
// seeded credentials; the data stays. Accounts whose password was changed are left alone.
import type { Clock } from '../../shared/clock.ts';
import { verifyPassword } from '../auth/password.ts';
import { DEMO_CREDENTIAL_LABEL, DEMO_CREATED_BY } from '../channels/demo-credentials.ts';
import type { Models } from '../models/index.ts';
import { DEMO_PASSWORD, demoAccounts } from './users.seed.ts';

export interface RetiredDemoAccess {
  /** Usernames disabled because they still had the demo password. */
  accounts: string[];
  /** Seeded channel credentials revoked. */
  credentials: number;
}

export async function retireDemoAccess(models: Models, clock: Clock): Promise<RetiredDemoAccess> {
  const units = await models.Unit.find({}, { code: 1, name: 1, region: 1 }).lean();
  const usernames = demoAccounts(units).map((a) => a.username);
  const candidates = await models.User.find(
    { username: { $in: usernames }, disabled: { $ne: true } },
    { username: 1, passwordHash: 1 },
  ).lean();
  // The seed gives every demo account one shared hash, so this is usually one key derivation.
  const byHash = new Map<string, string[]>();
  for (const u of candidates) byHash.set(u.passwordHash, [...(byHash.get(u.passwordHash) ?? []), u.username]);
  const accounts: string[] = [];
  for (const [hash, names] of byHash) if (await verifyPassword(DEMO_PASSWORD, hash)) accounts.push(...names);
  if (accounts.length) {
    await models.User.updateMany(
      { username: { $in: accounts }, disabled: { $ne: true } },
      { $set: { disabled: true }, $inc: { tokenVersion: 1 } },
    );
  }
  const revoked = await models.ChannelCredential.updateMany(
    { revokedAt: null, $or: [{ createdBy: DEMO_CREATED_BY }, { label: DEMO_CREDENTIAL_LABEL }] },
    { $set: { revokedAt: clock.now(), revokedBy: 'system' } },
  );
  return { accounts, credentials: revoked.modifiedCount };
}

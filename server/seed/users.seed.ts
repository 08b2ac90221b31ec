// Demo staff accounts: one per centre/city role, plus `handler-<unit code>` and `unithead-<unit code>` for
// every demo unit. All share the demo password; they exist only in demo mode.
import { CITY_REGION, type Role } from '../../shared/roles.ts';
import { DEFAULT_SCRYPT, hashPassword, type ScryptParams } from '../auth/password.ts';
import type { Models, UnitDoc, UserDoc } from '../models/index.ts';
import { insertMissing } from './insert-missing.ts';
import { personName } from './names.ts';
import { createRng } from './prng.ts';

export const DEMO_PASSWORD = 'demo1234';

export interface DemoAccount {
  username: string;
  name: string;
  role: Role;
  /** Unit code, when the account belongs to a unit. */
  unitCode?: string;
  region: string;
}

const CENTRE_ACCOUNTS: readonly DemoAccount[] = [
  { username: 'admin', name: '系统管理员', role: 'admin', region: CITY_REGION },
  { username: 'clerk', name: '周晓燕', role: 'clerk', region: CITY_REGION },
  { username: 'dispatcher', name: '陈志强', role: 'dispatcher', region: CITY_REGION },
  { username: 'director', name: '沈建华', role: 'director', region: CITY_REGION },
  { username: 'leader', name: '王国平', role: 'leader', region: CITY_REGION },
  { username: 'supervisor', name: '钱丽萍', role: 'supervisor', region: CITY_REGION },
];

/** The full demo account list for the given units (centre accounts first). */
export function demoAccounts(units: readonly Pick<UnitDoc, 'code' | 'name' | 'region'>[]): DemoAccount[] {
  const perUnit = units.flatMap((u) => {
    // Seeded by the unit code, so a unit's people have the same names whatever order units come in.
    const rng = createRng(codeSeed(u.code));
    return [
      {
        username: `handler-${u.code}`,
        name: personName(rng),
        role: 'handler' as const,
        unitCode: u.code,
        region: u.region,
      },
      {
        username: `unithead-${u.code}`,
        name: personName(rng),
        role: 'unit_head' as const,
        unitCode: u.code,
        region: u.region,
      },
    ];
  });
  return [...CENTRE_ACCOUNTS, ...perUnit];
}

/** A 32-bit FNV-1a hash of a unit code, as a PRNG seed. */
function codeSeed(code: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < code.length; i++) h = Math.imul(h ^ code.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Inserts the accounts that do not exist yet; existing accounts (and changed passwords) are left alone. */
export async function seedUsers(
  models: Models,
  units: readonly UnitDoc[],
  /**
   * Unset (the demo): ONE hash at the default cost, shared by every demo account. The cost must equal every
   * other login's (a cheaper demo hash made demo accounts tell-tale by timing), and the password is the
   * printed demo1234 anyway, so a salt per account would only make the first start wait for ~80 KDF runs.
   * Set (tests): a hash per account at these parameters.
   */
  hashParams?: ScryptParams,
): Promise<DemoAccount[]> {
  const accounts = demoAccounts(units);
  const unitByCode = new Map(units.map((u) => [u.code, u]));
  const existing = new Set(
    (
      await models.User.find({ username: { $in: accounts.map((a) => a.username) } }, { username: 1 }).lean()
    ).map((u) => u.username),
  );
  const missing = accounts.filter((a) => !existing.has(a.username));
  const docs: Array<
    Omit<UserDoc, '_id' | 'disabled' | 'tokenVersion' | 'lastLoginAt' | 'createdAt' | 'updatedAt'>
  > = [];
  const shared = hashParams
    ? undefined
    : missing.length
      ? await hashPassword(DEMO_PASSWORD, DEFAULT_SCRYPT)
      : '';
  // Hash in small parallel batches (the KDF pool queues them for its threads).
  for (let i = 0; i < missing.length; i += 8) {
    const batch = missing.slice(i, i + 8);
    const hashes = await Promise.all(batch.map(() => shared ?? hashPassword(DEMO_PASSWORD, hashParams)));
    batch.forEach((a, j) =>
      docs.push({
        username: a.username,
        name: a.name,
        role: a.role,
        region: a.region,
        unitId: a.unitCode ? (unitByCode.get(a.unitCode)?._id ?? null) : null,
        passwordHash: hashes[j],
      }),
    );
  }
  await insertMissing(models.User, docs);
  return accounts;
}

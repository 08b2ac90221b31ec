// The idempotent demo seed: units (config/units.ts), demo staff accounts and ≥200 deterministic enterprises.
// Every step inserts only what is missing, so running it twice, or on a partly seeded database, is safe.
import { UNITS } from '../../config/units.ts';
import type { Clock } from '../../shared/clock.ts';
import type { ScryptParams } from '../auth/password.ts';
import type { EnterpriseDoc, Models, UnitDoc } from '../models/index.ts';
import { generateDemoEnterprises, type DemoEnterprise } from './enterprises.seed.ts';
import { seedIssues } from './issues.seed.ts';
import { seedUnits, type UnitSpec } from './units.seed.ts';
import { seedUsers, type DemoAccount } from './users.seed.ts';

export { DEMO_PASSWORD, type DemoAccount } from './users.seed.ts';

export interface SeedOptions {
  /** scrypt cost for the demo accounts (default DEMO_SCRYPT; tests pass an even cheaper one). */
  hashParams?: ScryptParams;
  enterpriseCount?: number;
  units?: readonly UnitSpec[];
  /** Demo issues (default true); issue API tests turn them off and make their own. */
  issues?: boolean;
}

export interface SeedSummary {
  units: UnitDoc[];
  accounts: DemoAccount[];
  enterprises: EnterpriseDoc[];
  seededAt: Date;
}

async function seedEnterprises(models: Models, list: readonly DemoEnterprise[]): Promise<EnterpriseDoc[]> {
  const codes = list.map((e) => e.creditCode);
  const existing = new Set(
    (await models.Enterprise.find({ creditCode: { $in: codes } }, { creditCode: 1 }).lean()).map(
      (e) => e.creditCode,
    ),
  );
  const missing = list.filter((e) => !existing.has(e.creditCode));
  if (missing.length) await models.Enterprise.insertMany(missing);
  return models.Enterprise.find({ creditCode: { $in: codes } }).lean();
}

export async function seedDemo(
  models: Models,
  clock: Clock,
  options: SeedOptions = {},
): Promise<SeedSummary> {
  const units = await seedUnits(models, options.units ?? UNITS);
  const accounts = await seedUsers(models, units, options.hashParams);
  const enterprises = await seedEnterprises(models, generateDemoEnterprises(options.enterpriseCount ?? 240));

  if (options.issues !== false) await seedIssues(models, clock, { units, enterprises });

  return { units, accounts, enterprises, seededAt: clock.now() };
}

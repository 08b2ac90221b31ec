// The idempotent demo seed: units (config/units.ts), demo staff accounts and ≥200 deterministic enterprises.
// Every step inserts only what is missing, so running it twice, or on a partly seeded database, is safe, also
// in two processes at once (insert-missing.ts); the demo issues are seeded by whichever process claims them
// (seedDemoOnce), since they have no natural key to deduplicate on.
import { UNITS } from '../../config/units.ts';
import type { Clock } from '../../shared/clock.ts';
import type { ScryptParams } from '../auth/password.ts';
import type { EnterpriseDoc, Models, UnitDoc } from '../models/index.ts';
import { generateDemoEnterprises, type DemoEnterprise } from './enterprises.seed.ts';
import { insertMissing } from './insert-missing.ts';
import { seedIssues } from './issues.seed.ts';
import { classIssueIntakes } from './class-issues.seed.ts';
import { ExternalIds } from './external-ids.seed.ts';
import { createRng } from './prng.ts';
import { seedUnits, type UnitSpec } from './units.seed.ts';
import { seedUsers, type DemoAccount } from './users.seed.ts';

export { DEMO_PASSWORD, type DemoAccount } from './users.seed.ts';

export interface SeedOptions {
  /** scrypt cost for the demo accounts (default DEFAULT_SCRYPT, as every login; tests pass a cheap one). */
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
  await insertMissing(models.Enterprise, missing);
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

  if (options.issues !== false) {
    // One set of channel ids for both, so no (channel, externalId) is handed out twice.
    const externalIds = new ExternalIds(createRng(20261107));
    const alongside = await classIssueIntakes(models, clock, enterprises, externalIds);
    await seedIssues(models, clock, { units, enterprises, alongside, externalIds });
  }

  return { units, accounts, enterprises, seededAt: clock.now() };
}

const SEED_CLAIM = 'seed:demo';
const SEED_WAIT_MS = 5 * 60_000;

/**
 * Seeds an empty demo database once however many processes start on it together: the first to insert the
 * claim row seeds, the others wait until it marks the seed done (or give up waiting after SEED_WAIT_MS and
 * start anyway: the seed is idempotent). Returns the summary when this process seeded, else undefined.
 */
export async function seedDemoOnce(
  models: Models,
  clock: Clock,
  options: SeedOptions = {},
): Promise<SeedSummary | undefined> {
  const claims = models.Counter.collection;
  try {
    await claims.insertOne({ _id: SEED_CLAIM as never, seq: 0 });
  } catch (err) {
    if ((err as { code?: unknown }).code !== 11000) throw err;
    const until = Date.now() + SEED_WAIT_MS;
    while (Date.now() < until) {
      if ((await claims.findOne({ _id: SEED_CLAIM as never }))?.seq === 1) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return undefined;
  }
  const summary = await seedDemo(models, clock, options);
  await claims.updateOne({ _id: SEED_CLAIM as never }, { $set: { seq: 1 } });
  return summary;
}

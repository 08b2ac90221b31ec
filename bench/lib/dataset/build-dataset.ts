/**
 * Builds one data set into a fresh DATA_DIR, in its own process (so a large load gets its own heap and can be
 * stopped by a timeout): `node --import tsx bench/lib/dataset/build-dataset.ts <name> <dir>`. It starts the
 * embedded server in-process on `<dir>/db`, creates the app's indexes (createModels + ensureIndexes, as the app
 * does at start), inserts units, demo users (password demo1234) and enterprises through the models, and the
 * issues through the official driver with insertMany in batches of 1,000; then the `counters` rows, so intake
 * numbers new issues after the generated ones, and the word index's fill as done (each issue has its terms).
 * Prints one JSON line of progress every few seconds (`{"progress": …}`) and the manifest at the end
 * (`{"done": …}`).
 */
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BSON } from 'bson';
import { benchConfig } from '../bench-config.ts';
import { MongoClient } from 'mongodb';
import mongoose from 'mongoose';
import pino from 'pino';
import { DAY_MS, systemClock, type Clock } from '../../../shared/clock.ts';
import { DEFAULT_SCRYPT, hashPassword } from '../../../server/auth/password.ts';
import { startEmbeddedServer } from '../../../server/db/embedded/server.ts';
import { createModels, ensureIndexes, type Models } from '../../../server/models/index.ts';
import { SEARCH_TERMS_UPGRADE } from '../../../server/jobs/search-terms.job.ts';
import { DEMO_PASSWORD, seedDemo } from '../../../server/seed/index.ts';
import {
  APP_DB_NAME,
  DATASET_SEED,
  GENERATOR_VERSION,
  parseDatasetName,
  type DatasetManifest,
  type DatasetRef,
  type DatasetSamples,
  type LoadFigures,
} from './catalog.ts';
import type { GenerationSummary } from './generation-summary.ts';
import { IssueStream } from './issue-stream.ts';
import { createWorld, type World } from './world.ts';

const BATCH = 1000;
const SAMPLES = 2000;
const PROGRESS_MS = 5000;
const HISTORY_YEARS = 3;

const emit = (line: Record<string, unknown>) => process.stdout.write(JSON.stringify(line) + '\n');
const fixedClock = (at: Date): Clock => ({ now: () => new Date(at) });

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(path.join(dir, name))).size;
  return total;
}

function evenly<T>(items: readonly T[], count: number): T[] {
  const step = Math.max(1, Math.floor(items.length / count));
  return items.filter((_, i) => i % step === 0).slice(0, count);
}

async function insertWorld(models: Models, world: World): Promise<void> {
  const byCode = new Map(world.units.map((u) => [u.code, u]));
  await models.Unit.insertMany(
    world.units.map((u) => ({
      _id: u._id,
      code: u.code,
      name: u.name,
      level: u.level,
      region: u.region,
      parentId: u.parentCode ? (byCode.get(u.parentCode)?._id ?? null) : null,
      categories: u.categories,
    })),
  );
  const actors = [...world.actors.values()];
  const hashes: string[] = [];
  // scrypt runs on libuv's pool: a few at a time.
  for (let i = 0; i < actors.length; i += 8)
    hashes.push(
      ...(await Promise.all(actors.slice(i, i + 8).map(() => hashPassword(DEMO_PASSWORD, DEFAULT_SCRYPT)))),
    );
  await models.User.insertMany(
    actors.map((a, i) => ({
      _id: a._id,
      username: a.username,
      name: a.name,
      role: a.role,
      region: a.region,
      unitId: a.unitId ? world.unitById.get(a.unitId)!._id : null,
      passwordHash: hashes[i],
    })),
  );
  for (let i = 0; i < world.enterprises.length; i += 5000)
    await models.Enterprise.insertMany(world.enterprises.slice(i, i + 5000), { lean: false });
}

interface IssueLoad {
  figures: Omit<LoadFigures, 'rssBytes' | 'closeMs' | 'dbBytes'>;
  summary: GenerationSummary;
}

async function loadIssues(client: MongoClient, generator: IssueStream, total: number): Promise<IssueLoad> {
  const issues = client.db(APP_DB_NAME).collection('issues');
  let generateMs = 0;
  let insertMs = 0;
  let done = 0;
  let sampledBytes = 0;
  let sampled = 0;
  let lastReport = performance.now();
  const finalFrom = Math.floor(total * 0.9);
  let finalMs = 0;
  let finalCount = 0;
  for (;;) {
    let t = performance.now();
    const batch = await generator.batch();
    generateMs += performance.now() - t;
    if (!batch.length) break;
    for (let i = 0; i < batch.length; i += 50, sampled++) sampledBytes += BSON.calculateObjectSize(batch[i]);
    t = performance.now();
    await issues.insertMany(batch, { ordered: false });
    const took = performance.now() - t;
    insertMs += took;
    done += batch.length;
    if (done > finalFrom) {
      finalMs += took;
      finalCount += batch.length;
    }
    if (performance.now() - lastReport > PROGRESS_MS) {
      lastReport = performance.now();
      const rate = Math.round((batch.length / took) * 1000);
      emit({
        progress: done,
        of: total,
        insertRate: rate,
        rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
      });
    }
  }
  const summary = generator.summary();
  await generator.close();
  const counters = Object.entries(summary.counters).map(([year, seq]) => ({ _id: `issue:${year}`, seq }));
  if (counters.length)
    await client.db(APP_DB_NAME).collection<{ _id: string; seq: number }>('counters').insertMany(counters);
  // Every issue carries its search terms, as intake stores them: the word index's background fill (which an app
  // starting on issues without them runs) has nothing to do, as on a database this version ran from the start.
  await client
    .db(APP_DB_NAME)
    .collection<{ _id: string; through: Date; done: boolean }>('upgrades')
    .insertOne({ _id: SEARCH_TERMS_UPGRADE, through: new Date(0), done: true });
  return {
    summary,
    figures: {
      generateMs,
      insertMs,
      insertRate: (done / insertMs) * 1000,
      overallRate: (done / (generateMs + insertMs)) * 1000,
      finalRate: finalMs ? (finalCount / finalMs) * 1000 : 0,
      issueBsonBytes: Math.round((sampledBytes / Math.max(1, sampled)) * done),
    },
  };
}

async function demoSamples(models: Models): Promise<{ samples: DatasetSamples; issues: number }> {
  const rows = await models.Issue.find({}, { unitId: 1, enterpriseId: 1 }).lean();
  const count = (key: 'unitId' | 'enterpriseId') => {
    const n = new Map<string, number>();
    for (const r of rows) if (r[key]) n.set(String(r[key]), (n.get(String(r[key])) ?? 0) + 1);
    return [...n].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  };
  const enterprises = await models.Enterprise.find({}, { qrToken: 1, creditCode: 1 }).lean();
  const busiestUnitId = count('unitId');
  const unit = busiestUnitId ? await models.Unit.findById(busiestUnitId).lean() : null;
  return {
    issues: rows.length,
    samples: {
      issueIds: evenly(
        rows.map((r) => String(r._id)),
        SAMPLES,
      ),
      qrTokens: enterprises.map((e) => e.qrToken),
      creditCodes: enterprises.map((e) => e.creditCode),
      busiestUnitId,
      handlerUsername: unit ? `handler-${unit.code}` : null,
      busiestEnterpriseId: count('enterpriseId'),
    },
  };
}

function worldSamples(world: World, summary: GenerationSummary): DatasetSamples {
  const unit = summary.busiestUnitId ? world.unitById.get(summary.busiestUnitId) : undefined;
  const picked = evenly(world.enterprises, SAMPLES);
  return {
    issueIds: summary.sampleIssueIds,
    qrTokens: picked.map((e) => e.qrToken),
    creditCodes: picked.map((e) => e.creditCode),
    busiestUnitId: summary.busiestUnitId,
    handlerUsername: unit ? `handler-${unit.code}` : null,
    busiestEnterpriseId: summary.busiestEnterpriseId,
  };
}

async function build(ref: DatasetRef, dir: string, asOf: Date): Promise<DatasetManifest> {
  const dbpath = path.join(dir, 'db');
  const server = await startEmbeddedServer({ port: 0, dbpath, logger: pino({ level: 'warn' }) });
  const client = new MongoClient(server.uri, { directConnection: true });
  await client.connect();
  const conn = await mongoose.createConnection(server.uri, { dbName: APP_DB_NAME }).asPromise();
  const historyStart = new Date(asOf.getTime() - HISTORY_YEARS * 365 * DAY_MS);
  const models = createModels(conn, ref.kind === 'demo' ? systemClock : fixedClock(historyStart));
  await ensureIndexes(models);
  let load: IssueLoad | null = null;
  let samples: DatasetSamples;
  let issues = ref.issues;
  const started = performance.now();
  if (ref.kind === 'demo') {
    await seedDemo(models, systemClock);
    ({ samples, issues } = await demoSamples(models));
  } else {
    const worldSpec = { seed: DATASET_SEED, enterpriseCount: ref.enterprises, createdAt: historyStart };
    const world = createWorld(worldSpec);
    await insertWorld(models, world);
    const mode = ref.kind === 'sweep' ? 'sweep' : 'history';
    const spec = { mode, issues: ref.issues, seed: DATASET_SEED, asOf, years: HISTORY_YEARS } as const;
    const stream = new IssueStream(spec, worldSpec, { workers: benchConfig.genWorkers, batch: BATCH, world });
    load = await loadIssues(client, stream, ref.issues);
    samples = worldSamples(world, load.summary);
  }
  const elapsed = performance.now() - started;
  const rssBytes = process.memoryUsage().rss;
  await client.close();
  await conn.close();
  const closeStart = performance.now();
  await server.close();
  const closeMs = performance.now() - closeStart;
  const figures: LoadFigures = load
    ? { ...load.figures, rssBytes, closeMs, dbBytes: await dirBytes(dbpath) }
    : {
        generateMs: 0,
        insertMs: elapsed,
        insertRate: (issues / elapsed) * 1000,
        overallRate: (issues / elapsed) * 1000,
        finalRate: 0,
        rssBytes,
        closeMs,
        dbBytes: await dirBytes(dbpath),
        issueBsonBytes: 0,
      };
  const { sampleIssueIds: _ids, ...summary } = load?.summary ?? { sampleIssueIds: [] };
  return {
    name: ref.name,
    kind: ref.kind,
    version: GENERATOR_VERSION,
    asOf: asOf.toISOString(),
    builtAt: new Date().toISOString(),
    issues,
    enterprises: ref.enterprises,
    load: figures,
    summary: load ? (summary as DatasetManifest['summary']) : null,
    samples,
  };
}

const [name, dir] = process.argv.slice(2);
if (!name || !dir) {
  console.error('usage: build-dataset.ts <demo|issues-N|sweep-N> <dir>');
  process.exit(2);
}
const asOfEnv = benchConfig.asOf;
const asOf = asOfEnv ? new Date(asOfEnv) : new Date(Math.floor(Date.now() / 60_000) * 60_000);
const manifest = await build(parseDatasetName(name), dir, asOf);
await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1));
emit({ done: { name: manifest.name, load: manifest.load, issues: manifest.issues } });

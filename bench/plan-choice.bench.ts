/**
 * The plan cache's hit path on the issues' 35 indexes: what choosing a cached plan costs a staff list query.
 * A query of a cached shape used to enumerate every candidate (one per index, and the `$or` branches' scans)
 * and then look the cached one up by id; it now builds the cached candidate alone (planner.ts cachedCandidate).
 * Both are timed here in the same run, on the same engine and data, beside the whole query they are part of
 * (find through the command layer, first batch of 21, in-process: no wire), for the list as the app sends it
 * for the city leader, a dispatcher filtering by state, and a handler.
 * BENCH_PLAN_DOCS issues (default 100,000), synthetic but with the list's fields and their skew.
 */
import mongoose from 'mongoose';
import { performance } from 'node:perf_hooks';
import type { Document } from 'bson';
import { harness } from '../test/db/engine/harness.ts';
import { cachedCandidate, enumeratePlans } from '../server/db/embedded/engine/planner.ts';
import { planCacheOf } from '../server/db/embedded/engine/plan-cache.ts';
import { defineIssueModel } from '../server/models/issue.model.ts';
import { allOf, listConditions } from '../server/routes/issues/issue-list.filter.ts';
import type { ListIssuesQuery } from '../server/routes/issues/issues.schema.ts';
import type { Actor } from '../shared/roles.ts';
import { CATEGORY_IDS, CHANNEL_IDS, OPEN_STATES, URGENCIES } from '../shared/states.ts';
import { createRng } from '../server/seed/prng.ts';
import { heading, note, report } from './lib/report.ts';

const DOCS = Number(process.env.BENCH_PLAN_DOCS ?? 100_000);
const ROUNDS = 7;
const PER_ROUND = 2_000;

const rng = createRng(11);
const rand = rng.next;
const pick = rng.pick;
const units = Array.from({ length: 40 }, () => new mongoose.Types.ObjectId());
const regions = ['wuxing', 'nanxun', 'deqing', 'changxing', 'anji', 'city'];
const START = Date.UTC(2023, 11, 1);
const SPAN = 3 * 365 * 86_400_000;

function issue(i: number): Document {
  const open = rand() < 0.12;
  const state = open ? pick(OPEN_STATES) : rand() < 0.97 ? 'closed' : 'rejected';
  const createdAt = new Date(START + Math.floor((i / DOCS) * SPAN));
  const doc: Document = {
    _id: new mongoose.Types.ObjectId(),
    number: `Q${String(i).padStart(8, '0')}`,
    state,
    category: pick(CATEGORY_IDS),
    channel: pick(CHANNEL_IDS),
    urgency: rand() < 0.8 ? 'normal' : pick(URGENCIES),
    unitId: state === 'received' ? null : units[Math.floor(rand() ** 2 * units.length)],
    region: pick(regions),
    enterpriseId: new mongoose.Types.ObjectId(),
    createdAt,
    updatedAt: createdAt,
    dueAt: state === 'received' ? null : new Date(createdAt.getTime() + 10 * 86_400_000),
    nextCheckAt: open ? new Date(createdAt.getTime() + 86_400_000) : null,
  };
  if (open && rand() < 0.15) doc.warning = pick(['yellow', 'red', 'overdue']);
  if (rand() < 0.01) doc.tier = 'leader';
  return doc;
}

/** The issues' indexes as the app declares them (issue.model.ts), named as mongoose names them. */
function issueIndexes(): Document[] {
  const model = defineIssueModel(mongoose.createConnection());
  return model.schema.indexes().map(([key, options]) => ({
    key,
    name: Object.entries(key)
      .map(([k, v]) => `${k}_${v}`)
      .join('_'),
    ...options,
  }));
}

const h = harness();
heading(`plan choice on a cached shape: ${DOCS.toLocaleString('en-US')} issues, the app's issue indexes`);
const indexes = issueIndexes();
await h.run({ createIndexes: 'issues', indexes });
for (let i = 0; i < DOCS; i += 5_000) {
  await h.run({
    insert: 'issues',
    documents: Array.from({ length: Math.min(5_000, DOCS - i) }, (_, j) => issue(i + j)),
  });
}
const coll = h.engine.catalog.get('test.issues')!;
note(`${indexes.length} indexes; load average ${(await import('node:os')).loadavg()[0].toFixed(2)}`);

const q = (fields: Partial<ListIssuesQuery>) => fields as ListIssuesQuery;
const who: Record<string, [Actor, ListIssuesQuery]> = {
  'leader, newest first': [{ id: 'l', role: 'leader', region: 'city' } as Actor, q({})],
  'dispatcher, state=dispatched': [{ id: 'd', role: 'dispatcher' } as Actor, q({ state: ['dispatched'] })],
  'handler, newest first': [{ id: 'h', role: 'handler', unitId: String(units[0]) } as Actor, q({})],
};
const SORT = { createdAt: -1, _id: -1 };
const sortFields = [
  { path: 'createdAt', dir: -1 as const },
  { path: '_id', dir: -1 as const },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Microseconds per call of `op`, PER_ROUND calls. */
function timeSync(op: () => unknown): number {
  const start = performance.now();
  for (let i = 0; i < PER_ROUND; i++) op();
  return ((performance.now() - start) * 1000) / PER_ROUND;
}
async function timeAsync(op: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < PER_ROUND; i++) await op();
  return ((performance.now() - start) * 1000) / PER_ROUND;
}

for (const [name, [actor, asked]] of Object.entries(who)) {
  const filter = allOf(listConditions(actor, asked));
  const find = () => h.run({ find: 'issues', filter, sort: SORT, limit: 21 });
  await find(); // plans and caches the shape
  const cached = planCacheOf(coll).list().at(-1)?.[1].id;
  if (!cached) {
    note(`${name}: a single candidate, nothing cached`);
    continue;
  }
  const rounds = { query: [] as number[], enumerate: [] as number[], rebuild: [] as number[] };
  for (let r = 0; r < ROUNDS; r++) {
    rounds.enumerate.push(
      timeSync(() => enumeratePlans(coll, filter, sortFields).find((c) => c.id === cached)),
    );
    rounds.rebuild.push(timeSync(() => cachedCandidate(coll, filter, sortFields, cached)));
    rounds.query.push(await timeAsync(find));
  }
  const [query, before, after] = [median(rounds.query), median(rounds.enumerate), median(rounds.rebuild)];
  note(`${name}: cached plan ${cached}; ${enumeratePlans(coll, filter, sortFields).length} candidates`);
  report({ name: `${name}: whole query (21 rows)`, value: query, unit: 'µs' });
  report({
    name: `${name}: cached plan, built alone`,
    value: after,
    unit: 'µs',
    baseline: { name: 'enumerate all, find by id', value: before },
  });
  note(
    `planning on a hit was ${((100 * before) / (query - after + before)).toFixed(1)} % of the query, now ${((100 * after) / query).toFixed(1)} %`,
  );
}

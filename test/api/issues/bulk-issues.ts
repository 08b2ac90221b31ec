// A few thousand issues with a real city's skew, written straight into the collection (the intake path would
// take minutes, and the list only reads): about 80% finished, open issues mostly recent, a few busy units,
// co-units on one issue in seven, consultations and the leader tier rare, red and overdue lights only on
// open issues, categories, channels and enterprises Zipf-like. Deterministic (seeded).
import { Types } from 'mongoose';
import { DAY_MS } from '../../../shared/clock.ts';
import { CATEGORY_IDS, CHANNEL_IDS, TERMINAL_STATES } from '../../../shared/states.ts';
import { createRng, type Rng } from '../../../server/seed/prng.ts';
import { searchTermsOf } from '../../../server/text/search-terms.ts';
import type { IssueTestApp } from './fixtures.ts';

type Weighted<T> = ReadonlyArray<readonly [T, number]>;

function pick<T>(rng: Rng, entries: Weighted<T>): T {
  let r = rng.next() * entries.reduce((s, [, w]) => s + w, 0);
  for (const [value, w] of entries) if ((r -= w) < 0) return value;
  return entries[0][0];
}

const zipf = <T>(items: readonly T[], s = 1): Weighted<T> =>
  items.map((v, i) => [v, 1 / (i + 1) ** s] as const);

const OLD_STATES: Weighted<string> = [
  ['closed', 94],
  ['merged', 3],
  ['rejected', 2.5],
  ['in_progress', 0.3],
  ['suspended', 0.2],
];
const RECENT_STATES: Weighted<string> = [
  ['closed', 40],
  ['merged', 2],
  ['rejected', 2],
  ['received', 4],
  ['dispatched', 10],
  ['in_progress', 25],
  ['suspended', 2],
  ['consulting', 2],
  ['replied', 6],
  ['awaiting_rating', 7],
];
const URGENCY: Weighted<string> = [
  ['normal', 50],
  ['urgent', 25],
  ['complex', 15],
  ['critical', 10],
];
const LIGHTS: Weighted<string> = [
  ['none', 60],
  ['yellow', 15],
  ['red', 15],
  ['overdue', 10],
];
const TIER: Weighted<string> = [
  ['section', 95],
  ['director', 4],
  ['leader', 1],
];

/** Inserts `n` issues created over the two years before the app clock's now. */
export async function insertBulkIssues(t: IssueTestApp, n: number, seed = 11): Promise<void> {
  const rng = createRng(seed);
  const now = t.clock.now().getTime();
  const units = zipf(
    t.data.units.filter((u) => !u.code.endsWith('centre')),
    0.8,
  );
  const enterprises = zipf(t.data.enterprises, 0.7);
  const categories = zipf(CATEGORY_IDS);
  const channels = zipf(CHANNEL_IDS, 1.3);
  const perYear = new Map<number, number>();
  const docs = [];
  for (let i = 0; i < n; i++) {
    // Volume grows over time; the newest issue was taken in an hour ago.
    const createdAt = new Date(now - 3_600_000 - 730 * DAY_MS * (1 - Math.sqrt((i + rng.next()) / n)));
    const state = pick(rng, (now - createdAt.getTime()) / DAY_MS > 40 ? OLD_STATES : RECENT_STATES);
    const open = !(TERMINAL_STATES as readonly string[]).includes(state);
    const unit = state === 'received' ? null : pick(rng, units);
    const enterprise = pick(rng, enterprises);
    const dueAt = unit ? new Date(createdAt.getTime() + (3 + rng.int(0, 20)) * DAY_MS) : null;
    const year = createdAt.getUTCFullYear();
    const seq = (perYear.get(year) ?? 0) + 1;
    perYear.set(year, seq);
    docs.push({
      _id: new Types.ObjectId(),
      number: `HZ-${year}-${String(seq).padStart(6, '0')}`,
      enterpriseId: enterprise._id,
      enterpriseName: enterprise.name,
      enterpriseCreditCode: enterprise.creditCode,
      region: enterprise.region,
      channel: pick(rng, channels),
      title: `${pick(rng, categories)} 问题 ${i}`,
      content: i % 97 === 0 ? '企业反映：用电增容迟迟未批复。' : '企业反映生产经营中遇到的困难。',
      state,
      urgency: pick(rng, URGENCY),
      category: pick(rng, categories),
      unitId: unit?._id ?? null,
      unitName: unit?.name ?? null,
      coUnitIds: unit && rng.next() < 0.15 ? [pick(rng, units)._id] : [],
      consultUnitIds: state === 'consulting' && unit ? [unit._id, pick(rng, units)._id] : [],
      tier: pick(rng, TIER),
      warning: open && dueAt ? pick(rng, LIGHTS) : 'none',
      supervised: false,
      bulletined: false,
      dueAt,
      deadlines: dueAt ? { startAt: createdAt, resolveBy: dueAt } : null,
      nextCheckAt: open ? dueAt : null,
      timeline: [],
      version: 1,
      createdBy: 'bulk',
      createdAt,
      updatedAt: createdAt,
    });
    // 督办 at red, 通报 five working days later; a closed issue keeps the flags it had (1 in 11 here).
    const doc = docs[docs.length - 1];
    const lit = doc.warning === 'red' || doc.warning === 'overdue';
    doc.supervised = lit || (!open && i % 11 === 0);
    doc.bulletined = (doc.warning === 'overdue' && i % 2 === 0) || (!open && i % 22 === 0);
    Object.assign(doc, { searchTerms: searchTermsOf(doc.title, doc.content, doc.enterpriseName) });
  }
  for (let i = 0; i < docs.length; i += 1000)
    await t.models.Issue.collection.insertMany(docs.slice(i, i + 1000));
}

// The text search's walk through its window (SearchWalk) gives exactly what the search gave when it asked the
// database twice per step (where the step ends, then the matches up to that end): checked against that
// algorithm run over an in-memory list, for lists with ties on the key at and around the steps' ends, pages
// that fill inside a step, exactly at its end or not at all, and lists that end inside or just after a step.
import { expect } from 'chai';
import { Types } from 'mongoose';
import { ORDERS, type CursorData, type ListOrder } from '../../../server/routes/issues/issue-list.order.ts';
import { SearchWalk, textMatcher, type WalkOutcome } from '../../../server/routes/issues/issue-search.ts';

interface Row {
  _id: Types.ObjectId;
  createdAt: Date;
  dueAt: Date | null;
  number: string;
  hit: boolean;
}

const order = ORDERS.createdAt;
const key = (r: Row) => r.createdAt.getTime();

/** The list in its order (newest first, `_id` descending on a tie). */
function listOf(times: number[], hits: boolean[]): Row[] {
  const rows = times.map((t, i) => ({
    _id: new Types.ObjectId(i.toString(16).padStart(24, '0')),
    createdAt: new Date(t),
    dueAt: null,
    number: `HZ-2026-${String(i).padStart(6, '0')}`,
    hit: hits[i],
  }));
  return rows.sort((a, b) => key(b) - key(a) || (String(a._id) < String(b._id) ? 1 : -1));
}

/**
 * The search as it was: per step, the step's last row (its size-th), then the matching rows up to and including
 * that row's key, at most the page's room plus one; the next step starts strictly past that key.
 */
function askedTwicePerStep(list: Row[], steps: number[], limit: number): WalkOutcome<Row> {
  const items: Row[] = [];
  let rest = list;
  let end: Row | undefined;
  for (const size of steps) {
    end = rest[size - 1];
    const within = end ? rest.filter((r) => key(r) >= key(end!)) : rest;
    const found = within.filter((r) => r.hit).slice(0, limit - items.length + 1);
    const more = found.length > limit - items.length;
    items.push(...found.slice(0, limit - items.length));
    if (more) return { items, next: order.positionOf(items[items.length - 1]) };
    if (!end) return { items };
    if (items.length >= limit) return { items, next: order.positionOf(items[items.length - 1]) };
    rest = rest.filter((r) => key(r) < key(end!));
  }
  return {
    items,
    next: order.past(order.positionOf(end!)),
    searchedTo: end!.createdAt.toISOString(),
  };
}

function walked(list: Row[], steps: number[], limit: number): WalkOutcome<Row> & { read: number } {
  const walk = new SearchWalk<Row>(order as ListOrder, steps, limit, (r) => r.hit);
  let read = 0;
  for (const row of list) {
    read++;
    if (!walk.push(row)) break;
  }
  return { ...walk.outcome(), read };
}

/** A small deterministic PRNG, so a failure names its seed. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('SearchWalk: one read of the window, the same pages as two queries per step', () => {
  const same = (a: WalkOutcome<Row>, b: WalkOutcome<Row>, what: string) => {
    expect(
      a.items.map((r) => String(r._id)),
      what,
    ).to.deep.equal(b.items.map((r) => String(r._id)));
    expect(a.next as CursorData | undefined, what).to.deep.equal(b.next);
    expect(a.searchedTo, what).to.equal(b.searchedTo);
  };

  it('matches the old search on random lists with ties, every page size and list length', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const rnd = prng(seed);
      const n = Math.floor(rnd() * 40);
      // Few distinct times, so the steps' ends often fall inside a run of equal keys.
      const times = Array.from(
        { length: n },
        () => 1_700_000_000_000 + Math.floor(rnd() * (n / 2 + 1)) * 1000,
      );
      const hits = Array.from({ length: n }, () => rnd() < 0.3);
      const list = listOf(times, hits);
      const steps = [1 + Math.floor(rnd() * 5), 1 + Math.floor(rnd() * 10)];
      const limit = 1 + Math.floor(rnd() * 6);
      same(walked(list, steps, limit), askedTwicePerStep(list, steps, limit), `seed ${seed}`);
    }
  });

  it('reads no further than the window and, with a full page, its step (one row past it at most)', () => {
    const list = listOf(
      Array.from({ length: 100 }, (_, i) => 1_700_000_000_000 - i * 1000),
      Array.from({ length: 100 }, (_, i) => i % 7 === 0),
    );
    // Rare: reads the whole window (4 + 6 rows) and the row that shows it ended.
    const rare = walked(
      list.map((r) => ({ ...r, hit: false })),
      [4, 6],
      5,
    );
    expect(rare.read).to.equal(11);
    expect(rare.searchedTo).to.equal(list[9].createdAt.toISOString());
    // Common: 3 matches (rows 0, 7, 14) fill the page; the walk stops at the next match (row 21).
    const common = walked(list, [4, 30], 3);
    expect(common.items.map((r) => r.number)).to.deep.equal([
      'HZ-2026-000000',
      'HZ-2026-000007',
      'HZ-2026-000014',
    ]);
    expect(common.read).to.equal(22);
    expect(common.next).to.deep.equal(order.positionOf(common.items[2]));
  });

  it('a step whose last row shares its time with the next rows takes them all', () => {
    // Rows 2..5 share one time: a first step of 3 rows holds all four of them.
    const t = 1_700_000_000_000;
    const list = listOf(
      [t, t - 1, t - 2, t - 2, t - 2, t - 2, t - 3, t - 4],
      [false, false, false, false, false, true, false, false],
    );
    const out = walked(list, [3, 1], 10);
    expect(out.items.map((r) => r.number)).to.deep.equal(['HZ-2026-000005']);
    // The second step is the one row after the ties; the window ends there.
    expect(out.searchedTo).to.equal(new Date(t - 3).toISOString());
    expect(out.next).to.deep.equal({ v: t - 3, id: '000000000000000000000000' });
  });
});

describe('textMatcher: what the database’s escaped $regex with flag i matched', () => {
  it('matches any of the five fields literally, ignoring case; never a field that is not a string', () => {
    const match = textMatcher('a.b(电');
    expect(match({ title: 'xx A.B(电yy' })).to.equal(true);
    expect(match({ title: 'aXb(电' })).to.equal(false);
    expect(match({ enterpriseCreditCode: 'A.B(电' })).to.equal(true);
    expect(match({ content: null, title: undefined, number: 7 as never })).to.equal(false);
    expect(textMatcher('hz-2026')({ number: 'HZ-2026-000001' })).to.equal(true);
    expect(textMatcher('用电增容')({ content: '申请用电增容三次' })).to.equal(true);
  });
});

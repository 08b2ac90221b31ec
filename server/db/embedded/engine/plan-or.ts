/**
 * Candidates for an `$or`, at the top level or inside a top-level `$and` (MongoDB's "contained $or"): the rest
 * of the filter is pushed into every branch, each branch gets its own index scan, and the scans are merged by
 * the sort when each delivers it (so `sort + limit` stops early) or else unioned ahead of a blocking sort.
 * A branch must be indexable on its own conditions: pushing the rest in only sharpens its bounds.
 */
import type { Document } from 'bson';
import type { Collection } from './collection.ts';
import { conditionsByPath } from './bounds.ts';
import type { KeyField } from './index-keys.ts';
import { indexCandidate, planInput, type Candidate, type IndexPlan } from './planner.ts';
import { isPlainObject } from './values.ts';

/** Where an `$or` sits: its branches and the filter without it. */
interface OrSite {
  branches: Document[];
  rest: Document;
}

function orSites(filter: Document): OrSite[] {
  const sites: OrSite[] = [];
  const withoutKey = (key: string): Document => {
    const rest = { ...filter };
    delete rest[key];
    return rest;
  };
  if (Array.isArray(filter.$or)) sites.push({ branches: filter.$or, rest: withoutKey('$or') });
  if (Array.isArray(filter.$and)) {
    filter.$and.forEach((part: unknown, i: number) => {
      if (!isPlainObject(part) || !Array.isArray(part.$or)) return;
      const others = { ...part };
      delete others.$or;
      const and = (filter.$and as unknown[]).filter((_, j) => j !== i);
      if (Object.keys(others).length) and.push(others);
      const rest = withoutKey('$and');
      if (and.length) rest.$and = and;
      sites.push({ branches: part.$or, rest });
    });
  }
  return sites.filter((s) => s.branches.length > 0 && s.branches.every(isPlainObject));
}

interface BranchPick {
  /** The best scan of the branch that delivers the sort. */
  sorted?: Candidate;
  /** The best single index scan of the branch. */
  unsorted?: Candidate;
}

/** A branch's conditions with the rest of the filter pushed in. */
const branchInput = (branch: Document, rest: Document, sort: KeyField[]) =>
  planInput(Object.keys(rest).length ? { $and: [rest, branch] } : branch, sort);

/** The best scan for one branch, bounded by the branch's own conditions; sort-delivering ones first. */
function branchPlan(coll: Collection, branch: Document, rest: Document, sort: KeyField[]): BranchPick {
  const own = conditionsByPath(branch);
  const input = branchInput(branch, rest, sort);
  let best: Candidate | undefined;
  let bestUnsorted: Candidate | undefined;
  for (const ix of coll.indexes.values()) {
    if (!own.has(ix.fields[0].path)) continue;
    const c = indexCandidate(ix, input);
    if (!c) continue;
    const better = (a: Candidate | undefined) => !a || c.score > a.score;
    if (!c.blockingSort && sort.length > 0 && better(best)) best = c;
    if (c.plan.kind === 'ixscan' && better(bestUnsorted)) bestUnsorted = c;
  }
  return { sorted: best, unsorted: bestUnsorted };
}

const scansOf = (c: Candidate): IndexPlan[] =>
  c.plan.kind === 'merge' ? c.plan.children : c.plan.kind === 'ixscan' ? [c.plan] : [];

/** The candidate of the `$or` at `at` from each branch's picks: merged by the sort when every branch delivers it. */
function fromPicks(picks: BranchPick[], at: number, sort: KeyField[]): Candidate | undefined {
  if (picks.some((p) => !p.unsorted && !p.sorted)) return undefined;
  const score = Math.min(...picks.map((p) => (p.sorted ?? p.unsorted)!.score)) - 0.5;
  if (sort.length > 0 && picks.every((p) => p.sorted)) {
    const ids = picks.map((p) => p.sorted!.id).join(',');
    const children = picks.flatMap((p) => scansOf(p.sorted!));
    return { id: `or${at}(${ids})`, plan: { kind: 'merge', children, sort }, blockingSort: false, score };
  }
  if (picks.some((p) => !p.unsorted)) return undefined;
  const branches = picks.map((p) => p.unsorted!.plan as IndexPlan);
  const ids = picks.map((p) => p.unsorted!.id).join(',');
  return { id: `or${at}(${ids})`, plan: { kind: 'or', branches }, blockingSort: sort.length > 0, score };
}

function orCandidate(coll: Collection, site: OrSite, at: number, sort: KeyField[]): Candidate | undefined {
  return fromPicks(
    site.branches.map((b) => branchPlan(coll, b, site.rest, sort)),
    at,
    sort,
  );
}

/**
 * The `$or` candidate a cached id names (`or<at>(<branch id>,…)`), each branch built on the index the id
 * names alone instead of trying every index (the plan cache's hit path, planner.ts cachedCandidate).
 */
export function orCandidateById(
  coll: Collection,
  filter: Document,
  sort: KeyField[],
  id: string,
): Candidate | undefined {
  const m = /^or(\d+)\((.*)\)$/.exec(id);
  const site = m ? orSites(filter)[Number(m[1])] : undefined;
  const ids = m ? m[2].split(',') : [];
  if (!m || !site || ids.length !== site.branches.length) return undefined;
  const picks: BranchPick[] = [];
  for (let i = 0; i < ids.length; i++) {
    const ix = coll.indexes.get(ids[i].slice(ids[i].indexOf(':') + 1));
    const c = ix && indexCandidate(ix, branchInput(site.branches[i], site.rest, sort));
    if (!c || c.id !== ids[i]) return undefined;
    picks.push({
      sorted: !c.blockingSort && sort.length > 0 ? c : undefined,
      unsorted: c.plan.kind === 'ixscan' ? c : undefined,
    });
  }
  const c = fromPicks(picks, Number(m[1]), sort);
  return c?.id === id ? c : undefined;
}

/** One candidate per indexable `$or` in the filter. */
export function orCandidates(coll: Collection, filter: Document, sort: KeyField[]): Candidate[] {
  const out: Candidate[] = [];
  orSites(filter).forEach((site, at) => {
    const c = orCandidate(coll, site, at, sort);
    if (c) out.push(c);
  });
  return out;
}

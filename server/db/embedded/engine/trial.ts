/**
 * Chooses among candidate plans by running them, as MongoDB's multi-planner does: the candidates take turns
 * one step (about one key or document) at a time until one of them has produced a first batch (101 documents,
 * or the limit) or reached its end, or each has done its share of work; then each is scored by results per
 * work, plus a bonus for having finished and a hair for not needing a blocking sort. A plan with a blocking
 * sort produces nothing until its input ends, which is how plans that deliver the sort win ties in practice.
 * Nothing is wasted: the winner keeps what it read and continues from where the trial left it.
 */
import type { Collection } from './collection.ts';
import type { Predicate } from './matcher.ts';
import type { Candidate } from './planner.ts';
import { execute, newStats, type Hit, type Reads, type ScanStats } from './scan.ts';
import { PAUSE, pauseDue, type Pause } from './pause.ts';

/** MongoDB's internalQueryPlanEvaluationWorks: the most steps one candidate gets in a trial. */
export const TRIAL_MAX_WORKS = 10_000;
/** The default first batch: a trial ends once any candidate could fill it. */
export const FIRST_BATCH = 101;

const EVERY_DOCUMENT: Predicate = () => true;

/** One candidate under trial: its scan (yielding every document it examines) and what it has matched. */
export class Contestant {
  readonly stats: ScanStats = newStats();
  /** Matching documents so far, in the plan's order (before any blocking sort). */
  readonly matched: Hit[] = [];
  eof = false;
  private steps = 0;
  private readonly source: Iterator<Hit | Pause>;

  constructor(
    coll: Collection,
    readonly candidate: Candidate,
    private readonly predicate: Predicate,
    reads: Reads = null,
  ) {
    // The scan checks nothing itself, so each step is one examined document and the trial can interleave.
    this.source = execute(coll, candidate.plan, EVERY_DOCUMENT, this.stats, reads);
  }

  /** Work done: keys and documents examined (a step that skipped keys without fetching counts them too). */
  get works(): number {
    return Math.max(this.steps, this.stats.keysExamined, this.stats.docsExamined);
  }

  /** Results the plan has produced for its consumer: none before a blocking sort has all its input. */
  advanced(target: number): number {
    if (!this.candidate.blockingSort) return this.matched.length;
    return this.eof ? Math.min(this.matched.length, target) : 0;
  }

  step(): void {
    if (this.eof) return;
    this.steps++;
    const r = this.source.next();
    if (r.done) this.eof = true;
    else if (r.value !== PAUSE && this.predicate(r.value.doc)) this.matched.push(r.value);
  }

  /** Everything the plan yields: what the trial kept, then the rest of the scan (pausing between matches). */
  *results(): Generator<Hit | Pause> {
    yield* this.matched;
    for (let r = this.source.next(); !r.done; r = this.source.next()) {
      if (r.value === PAUSE || this.predicate(r.value.doc)) yield r.value;
      else if (pauseDue()) yield PAUSE;
    }
  }
}

export interface Ranked {
  contestant: Contestant;
  score: number;
}

/** MongoDB's ranking: 1 + productivity, +1 on reaching the end, + a tie-breaking epsilon without a SORT. */
function scoreOf(c: Contestant, target: number): number {
  const works = Math.max(c.works, 1);
  const epsilon = Math.min(1 / (10 * works), 1e-4);
  return 1 + c.advanced(target) / works + (c.eof ? 1 : 0) + (c.candidate.blockingSort ? 0 : epsilon);
}

/**
 * Runs the contestants round-robin and returns them ranked, best first. Ties keep the contestants' order
 * (the planner's rule-based order), so the choice is deterministic.
 */
export function runTrial(contestants: Contestant[], target: number, maxWorks = TRIAL_MAX_WORKS): Ranked[] {
  let done = false;
  while (!done) {
    let active = 0;
    for (const c of contestants) {
      if (c.eof || c.works >= maxWorks) continue;
      active++;
      c.step();
      if (c.eof || c.advanced(target) >= target) {
        done = true;
        break;
      }
    }
    if (active === 0) break;
  }
  return contestants
    .map((contestant) => ({ contestant, score: scoreOf(contestant, target) }))
    .sort((a, b) => b.score - a.score);
}

/**
 * Runs a cached choice until it produces the first batch or ends. False when it needs more than `budget`
 * works to get there (MongoDB replans when a cached plan takes over 10x the works it won with).
 */
export function provesItself(c: Contestant, target: number, budget: number): boolean {
  while (!c.eof && c.advanced(target) < target) {
    if (c.works > budget) return false;
    c.step();
  }
  return true;
}

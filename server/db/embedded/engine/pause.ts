/**
 * Lets a find cursor's batch end while its scan is between matches. The database thread serves one command at a
 * time, and a scan that reads many documents to keep few holds it until its next match: at 1,000,000 issues
 * getMores of 1.6–5.1 s followed one another and `/healthz` timed out behind them. While a cursor fills a batch
 * it sets a deadline (`withDeadline`); a scan that has just let a document go checks it (`pauseDue`) and, once it
 * has passed, yields PAUSE in place of a hit. The layers above pass PAUSE through untouched, and the cursor ends
 * the batch there, however few documents it holds (an empty batch with a live cursor id is a valid reply: the
 * driver asks again). The scan's generator keeps its place, so the next getMore resumes where it stopped.
 *
 * Outside a cursor's batch the deadline is infinite and nothing pauses; consumers that read a query to its end
 * (counts, writes, aggregation stages) use `withoutPauses`, which treats a PAUSE as a broken invariant.
 */
import { performance } from 'node:perf_hooks';

export const PAUSE: unique symbol = Symbol('pause');
export type Pause = typeof PAUSE;

/** Documents let go between two looks at the clock: each costs a microsecond or two. */
const MISSES_PER_LOOK = 64;

let deadline = Infinity;
let misses = 0;

/** True when a scan that has just let a document go should pause (about every MISSES_PER_LOOK misses it looks). */
export function pauseDue(): boolean {
  if (deadline === Infinity || ++misses % MISSES_PER_LOOK !== 0) return false;
  return performance.now() >= deadline;
}

/** Runs `fill` with scans allowed to pause once the monotonic clock (performance.now) reaches `at`. */
export function withDeadline<T>(at: number, fill: () => T): T {
  const outer = deadline;
  deadline = at;
  misses = 0;
  try {
    return fill();
  } finally {
    deadline = outer;
  }
}

/** The iterator's values, for a consumer that reads to the end outside a cursor's batch. */
export function* withoutPauses<T>(it: Iterator<T | Pause>): Generator<T> {
  for (let r = it.next(); !r.done; r = it.next()) {
    if (r.value === PAUSE) throw new Error('a scan paused outside a cursor batch');
    yield r.value;
  }
}

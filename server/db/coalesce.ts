// Group commit for hot single-document operations. Intake bursts (a hotline backlog, a meeting import, a QR
// rush) run many small requests at once, and each one used to pay its own round trip to the database per
// step: on this class of machine a socket write costs more than the database's work for a small document.
// A coalescer sends what arrived in the same turn of the event loop (it waits for `setImmediate`, a few
// microseconds when idle) and queues the calls that arrive while a batch is in flight; when it returns, the
// queued calls go as ONE batch (one insertMany, one `$inc` by n, one `$in` read). Each caller gets its own
// result or its own error, exactly as if it had run alone. Waiting for the turn to end matters under load:
// the replies of several requests arrive in one poll of the event loop and each moves its request to its
// next step, so those steps share a batch instead of the first going alone (intake at concurrency 8 went
// from 5.6 to 3.0-3.5 commands per issue).
//
// Pure of any database: the batch function is passed in, so it is tested with plain functions.

/** One caller's outcome inside a batch: a value, or the error that call alone would have thrown. */
export type Outcome<O> = { ok: true; value: O } | { ok: false; error: unknown };

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export interface CoalesceOptions {
  /** The most calls one batch takes (the rest wait for the next batch). */
  maxBatch?: number;
}

/**
 * A function that takes one item and resolves with its result, running `run` over batches of the items
 * that arrived together. `run` returns one outcome per item, in the items' order; if it throws, every call
 * in that batch rejects with the error.
 */
export function coalesce<I, O>(
  run: (items: readonly I[]) => Promise<readonly Outcome<O>[]>,
  { maxBatch = 256 }: CoalesceOptions = {},
): (item: I) => Promise<O> {
  let queue: Waiting<I, O>[] = [];
  let inFlight = false;

  const settle = (batch: Waiting<I, O>[], outcomes: readonly Outcome<O>[]) => {
    batch.forEach((w, i) => {
      const o = outcomes[i];
      if (!o)
        w.reject(
          new Error(`coalesce: the batch returned ${outcomes.length} outcomes for ${batch.length} items`),
        );
      else if (o.ok) w.resolve(o.value);
      else w.reject(o.error);
    });
  };

  const drain = (): void => {
    if (inFlight || queue.length === 0) return;
    const batch = queue.length > maxBatch ? queue.splice(0, maxBatch) : queue;
    if (batch === queue) queue = [];
    inFlight = true;
    run(batch.map((w) => w.item))
      .then(
        (outcomes) => settle(batch, outcomes),
        (error: unknown) => batch.forEach((w) => w.reject(error)),
      )
      .finally(() => {
        inFlight = false;
        drain();
      });
  };

  let scheduled = false;
  const endOfTurn = (): void => {
    scheduled = false;
    drain();
  };
  return (item: I) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!scheduled && !inFlight) {
        scheduled = true;
        setImmediate(endOfTurn);
      }
    });
}

/** Coalescers keyed by an object that owns them (a collection), made on first use. */
export function coalescerFor<K extends object, F>(cache: WeakMap<K, F>, owner: K, make: () => F): F {
  let found = cache.get(owner);
  if (!found) {
    found = make();
    cache.set(owner, found);
  }
  return found;
}

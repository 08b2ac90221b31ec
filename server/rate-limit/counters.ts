// Windowed counters in the database, the one mechanism behind every rate limit (login, QR-page verification,
// owner submissions): each hit is ONE atomic pipeline update that either adds to the live window or opens a
// new one, so every process sharing the database counts against the same number, and concurrent hits never
// lose an increment. Windows run on the injected security clock (tests move it; DEMO_CLOCK does not).
import type { Collection } from 'mongodb';
import type { Clock } from '../../shared/clock.ts';
import type { RateLimitDoc, RateLimitModel } from '../models/rate-limit.model.ts';

export interface WindowCount {
  hits: number;
  resetAt: Date;
}

export interface Counters {
  /** Adds `by` to the key's live window (opening one of `windowMs` when none is live); returns the new count. */
  hit(key: string, windowMs: number, by?: number): Promise<WindowCount>;
  /** The live window's count, or undefined when none is live. */
  get(key: string): Promise<WindowCount | undefined>;
  /** Gives one hit back (a request that turned out not to count). */
  giveBack(key: string): Promise<void>;
  reset(key: string): Promise<void>;
}

export function createCounters(model: RateLimitModel, clock: Clock): Counters {
  const rows = model.collection as unknown as Collection<RateLimitDoc>;
  return {
    async hit(key, windowMs, by = 1) {
      const now = clock.now();
      const live = { $gt: ['$resetAt', now] };
      const doc = await rows.findOneAndUpdate(
        { _id: key },
        [
          {
            $set: {
              hits: { $cond: [live, { $add: ['$hits', by] }, by] },
              resetAt: { $cond: [live, '$resetAt', new Date(now.getTime() + windowMs)] },
              // For the TTL monitor only, on the database's clock (rate-limit.model.ts).
              sweepAt: {
                $cond: [
                  live,
                  { $ifNull: ['$sweepAt', { $add: ['$$NOW', windowMs] }] },
                  { $add: ['$$NOW', windowMs] },
                ],
              },
            },
          },
        ],
        { upsert: true, returnDocument: 'after' },
      );
      if (!doc) throw new Error(`rate limit counter ${key} was not written`);
      return { hits: doc.hits, resetAt: doc.resetAt };
    },
    async get(key) {
      const doc = await rows.findOne({ _id: key, resetAt: { $gt: clock.now() } });
      return doc ? { hits: doc.hits, resetAt: doc.resetAt } : undefined;
    },
    async giveBack(key) {
      await rows.updateOne(
        { _id: key, resetAt: { $gt: clock.now() }, hits: { $gt: 0 } },
        { $inc: { hits: -1 } },
      );
    },
    async reset(key) {
      await rows.deleteOne({ _id: key });
    },
  };
}

// Rate-limit counters, shared by every app process through the database (an in-memory counter per process
// would let N processes grant N times the limit). One document per limited key and window: the key is the
// `_id`, `hits` grows by an atomic update, and a TTL index removes a window's document once it has ended.
// Windows are judged on the injected security clock, but the TTL monitor judges on the database's own clock,
// so the TTL field is written from that clock (`$$NOW`): a clock moved in tests or a demo never makes the
// monitor delete a live window.
import { Schema, type Connection, type Model } from 'mongoose';

export interface RateLimitDoc {
  /** `<limiter name>|<client, token or account>`. */
  _id: string;
  hits: number;
  /** End of the current window, on the injected clock. */
  resetAt: Date;
  /** The same end on the database server's clock: the TTL index sweeps the document after it. */
  sweepAt?: Date;
}

export type RateLimitModel = Model<RateLimitDoc>;

export function defineRateLimitModel(conn: Connection): RateLimitModel {
  const schema = new Schema<RateLimitDoc>(
    {
      _id: { type: String, required: true },
      hits: { type: Number, required: true, default: 0 },
      resetAt: { type: Date, required: true },
      sweepAt: { type: Date },
    },
    { collection: 'rate_limits', versionKey: false },
  );
  schema.index({ sweepAt: 1 }, { expireAfterSeconds: 0 });
  return conn.model<RateLimitDoc>('RateLimit', schema);
}

/** The TTL index on `resetAt` (injected clock) swept live windows whenever that clock lagged the database's. */
export const RETIRED_RATE_LIMIT_INDEXES = ['resetAt_1'];

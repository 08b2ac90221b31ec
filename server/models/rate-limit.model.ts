// Rate-limit counters, shared by every app process through the database (an in-memory counter per process
// would let N processes grant N times the limit). One document per limited key and window: the key is the
// `_id`, `hits` grows by an atomic update, and a TTL index removes a window's document once it has ended.
import { Schema, type Connection, type Model } from 'mongoose';

export interface RateLimitDoc {
  /** `<limiter name>|<client, token or account>`. */
  _id: string;
  hits: number;
  /** End of the current window; the document is swept (TTL) soon after. */
  resetAt: Date;
}

export type RateLimitModel = Model<RateLimitDoc>;

export function defineRateLimitModel(conn: Connection): RateLimitModel {
  const schema = new Schema<RateLimitDoc>(
    {
      _id: { type: String, required: true },
      hits: { type: Number, required: true, default: 0 },
      resetAt: { type: Date, required: true },
    },
    { collection: 'rate_limits', versionKey: false },
  );
  schema.index({ resetAt: 1 }, { expireAfterSeconds: 0 });
  return conn.model<RateLimitDoc>('RateLimit', schema);
}

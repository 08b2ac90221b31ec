// One-time codes sent to an enterprise's registered mobile for owner verification on the QR page. A code
// belongs to the browser that asked for it (`clientTag`, a keyed digest of its pre-session cookie): one live
// code per enterprise and browser, so another visitor's wrong guesses can neither spend nor kill the code
// the owner is typing in. Stored only as a keyed hash, with its expiry, a counter of tries and the moment it
// was used, so the "single use, at most five tries" rules are enforced by atomic conditional updates.
import { Schema, type Connection, type Model, type Types } from 'mongoose';

export interface VerificationCodeDoc {
  _id: Types.ObjectId;
  enterpriseId: Types.ObjectId;
  /** Keyed digest of the requesting browser's pre-session cookie: only that browser can use the code. */
  clientTag: string;
  /** HMAC of the code (server key), never the code itself. */
  codeHash: string;
  sentAt: Date;
  expiresAt: Date;
  /** Verification attempts made against this code (right or wrong). */
  attempts: number;
  usedAt: Date | null;
  /** When it was sent on the database server's clock (`$currentDate`), which the TTL monitor judges by. */
  sweepFrom?: Date;
}

export type VerificationCodeModel = Model<VerificationCodeDoc>;

export function defineVerificationCodeModel(conn: Connection): VerificationCodeModel {
  const schema = new Schema<VerificationCodeDoc>(
    {
      enterpriseId: { type: Schema.Types.ObjectId, required: true },
      clientTag: { type: String, required: true },
      codeHash: { type: String, required: true },
      sentAt: { type: Date, required: true },
      expiresAt: { type: Date, required: true },
      attempts: { type: Number, required: true, default: 0 },
      usedAt: { type: Date, default: null },
      sweepFrom: { type: Date },
    },
    { collection: 'verification_codes', versionKey: false },
  );
  schema.index({ enterpriseId: 1, clientTag: 1 }, { unique: true });
  // Spent and expired codes go a day after they were sent (the resend spacing only needs the last minute),
  // judged on the database's clock: a TTL on `expiresAt` (the injected clock) could sweep a live code.
  schema.index({ sweepFrom: 1 }, { expireAfterSeconds: 86_400 });
  return conn.model<VerificationCodeDoc>('VerificationCode', schema);
}

/**
 * `enterpriseId_1`: one live code per enterprise (before codes were bound to a browser); its unique index would
 * refuse a second. `expiresAt_1`: the TTL on the injected clock (see the schema).
 */
export const RETIRED_CODE_INDEXES = ['enterpriseId_1', 'expiresAt_1'];

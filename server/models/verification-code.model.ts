// One-time codes sent to an enterprise's registered mobile for owner verification on the QR page. One live code
// per enterprise (a new one replaces the old), stored only as a keyed hash, with its expiry, a counter of
// tries and the moment it was used, so the "single use, at most five tries" rules are enforced by atomic
// conditional updates rather than by reading and then writing.
import { Schema, type Connection, type Model, type Types } from 'mongoose';

export interface VerificationCodeDoc {
  _id: Types.ObjectId;
  enterpriseId: Types.ObjectId;
  /** HMAC of the code (server key), never the code itself. */
  codeHash: string;
  sentAt: Date;
  expiresAt: Date;
  /** Verification attempts made against this code (right or wrong). */
  attempts: number;
  usedAt: Date | null;
}

export type VerificationCodeModel = Model<VerificationCodeDoc>;

export function defineVerificationCodeModel(conn: Connection): VerificationCodeModel {
  const schema = new Schema<VerificationCodeDoc>(
    {
      enterpriseId: { type: Schema.Types.ObjectId, required: true },
      codeHash: { type: String, required: true },
      sentAt: { type: Date, required: true },
      expiresAt: { type: Date, required: true },
      attempts: { type: Number, required: true, default: 0 },
      usedAt: { type: Date, default: null },
    },
    { collection: 'verification_codes', versionKey: false },
  );
  schema.index({ enterpriseId: 1 }, { unique: true });
  return conn.model<VerificationCodeDoc>('VerificationCode', schema);
}

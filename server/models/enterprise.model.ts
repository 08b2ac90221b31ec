// Enterprises, keyed by their unified social credit code. The QR token printed on the enterprise code is
// random (256 bits), unique and rotatable, and deliberately unrelated to the credit code so that knowing an
// enterprise's public registration data never lets anyone open its page.
import { randomBytes } from 'node:crypto';
import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { Clock } from '../../shared/clock.ts';
import { isValidCreditCode, normalizeCreditCode } from '../../shared/credit-code.ts';

export const MOBILE_PATTERN = /^1[3-9]\d{9}$/;

/** A fresh enterprise-code token: 32 random bytes, URL-safe. */
export function newQrToken(): string {
  return randomBytes(32).toString('base64url');
}

export interface EnterpriseDoc {
  _id: Types.ObjectId;
  creditCode: string;
  name: string;
  /** Region code of the county/district where it is registered. */
  region: string;
  industry: string;
  address: string;
  ownerName: string;
  /** Registered mobile; one-time codes for owner verification go here. */
  mobile: string;
  qrToken: string;
  qrIssuedAt: Date;
  /** scrypt hash of the owner's PIN; not selected by default. */
  pinHash: string | null;
  /** Consecutive wrong PINs on the QR page; at MAX_PIN_FAILURES the PIN is locked until staff set a new one. */
  pinFailures: number;
  createdAt: Date;
  updatedAt: Date;
}

export type EnterpriseModel = Model<EnterpriseDoc>;

export function defineEnterpriseModel(conn: Connection, clock: Clock): EnterpriseModel {
  const schema = new Schema<EnterpriseDoc>(
    {
      creditCode: {
        type: String,
        required: true,
        set: (v: unknown) => (typeof v === 'string' ? normalizeCreditCode(v) : v),
        validate: { validator: (v: string) => isValidCreditCode(v), message: '统一社会信用代码无效' },
      },
      name: { type: String, required: true, trim: true, maxlength: 100 },
      region: { type: String, required: true, trim: true, maxlength: 40 },
      industry: { type: String, default: '', trim: true, maxlength: 50 },
      address: { type: String, default: '', trim: true, maxlength: 200 },
      ownerName: { type: String, default: '', trim: true, maxlength: 50 },
      mobile: { type: String, required: true, match: MOBILE_PATTERN },
      qrToken: { type: String, required: true, default: newQrToken },
      qrIssuedAt: { type: Date, required: true, default: () => clock.now() },
      pinHash: { type: String, default: null, select: false },
      pinFailures: { type: Number, default: 0, select: false },
    },
    { timestamps: { currentTime: () => clock.now() }, collection: 'enterprises' },
  );
  schema.index({ creditCode: 1 }, { unique: true });
  schema.index({ qrToken: 1 }, { unique: true });
  // The directory's list orders by (name, _id) and pages by a keyset cursor on both
  // (server/enterprises/enterprise-list.query.ts); region and industry filters lead their own index.
  schema.index({ region: 1, name: 1, _id: 1 });
  schema.index({ industry: 1, name: 1, _id: 1 });
  schema.index({ name: 1, _id: 1 });
  return conn.model<EnterpriseDoc>('Enterprise', schema);
}

// One signed-in browser of a staff member: the refresh cookie names its session (`sid`) and generation (`n`).
// Every refresh moves the session to the next generation, so a refresh cookie is good once; presenting an
// older generation means the cookie was copied, and the session ends (reuse detection). The document holds
// no secret: the cookie's signature is the proof, the generation only says which cookie is the live one.
// Sessions go a day after their expiry, judged on the database's clock (`sweepFrom`, as for the other TTLs).
import { Schema, type Connection, type Model, type Types } from 'mongoose';

export interface StaffSessionDoc {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  /** The live cookie's generation; the one before it is still honoured for REUSE_GRACE_MS after a refresh. */
  n: number;
  rotatedAt: Date;
  /** The live cookie's end (the refresh lifetime after the last refresh), on the security clock. */
  expiresAt: Date;
  revokedAt: Date | null;
  /** The last write on the database server's clock, which the TTL monitor judges by. */
  sweepFrom?: Date;
}

export type StaffSessionModel = Model<StaffSessionDoc>;

export function defineStaffSessionModel(conn: Connection): StaffSessionModel {
  const schema = new Schema<StaffSessionDoc>(
    {
      userId: { type: Schema.Types.ObjectId, required: true },
      n: { type: Number, required: true },
      rotatedAt: { type: Date, required: true },
      expiresAt: { type: Date, required: true },
      revokedAt: { type: Date, default: null },
      sweepFrom: { type: Date },
    },
    { collection: 'staff_sessions', versionKey: false },
  );
  // A week of refresh lifetime plus a day; the expiry itself is checked on every refresh.
  schema.index({ sweepFrom: 1 }, { expireAfterSeconds: 8 * 86_400 });
  return conn.model<StaffSessionDoc>('StaffSession', schema);
}

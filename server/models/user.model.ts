// Staff accounts. The password is stored only as a scrypt hash (see server/auth/password.ts); tokenVersion is
// bumped on logout, disabling or a role change so that every JWT issued before stops working.
import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { Clock } from '../../shared/clock.ts';
import { ROLES, type Role } from '../../shared/roles.ts';
import { maxChars } from './max-chars.ts';

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9_.-]{1,31}$/;

export interface UserDoc {
  _id: Types.ObjectId;
  username: string;
  /** Display name (Chinese). */
  name: string;
  passwordHash: string;
  role: Role;
  unitId: Types.ObjectId | null;
  region: string;
  disabled: boolean;
  tokenVersion: number;
  lastLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export type UserModel = Model<UserDoc>;

export function defineUserModel(conn: Connection, clock: Clock): UserModel {
  const schema = new Schema<UserDoc>(
    {
      username: { type: String, required: true, trim: true, lowercase: true, match: USERNAME_PATTERN },
      name: { type: String, required: true, trim: true, validate: maxChars(50) },
      passwordHash: { type: String, required: true },
      role: { type: String, required: true, enum: ROLES },
      unitId: { type: Schema.Types.ObjectId, ref: 'Unit', default: null },
      region: { type: String, required: true, trim: true, validate: maxChars(40) },
      disabled: { type: Boolean, default: false },
      tokenVersion: { type: Number, default: 0 },
      lastLoginAt: { type: Date, default: null },
    },
    { timestamps: { currentTime: () => clock.now() }, collection: 'users' },
  );
  schema.index({ username: 1 }, { unique: true });
  schema.index({ unitId: 1, role: 1 });
  return conn.model<UserDoc>('User', schema);
}

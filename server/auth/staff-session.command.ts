// The staff sessions behind the refresh cookie (staff-session.model.ts): opened at login, moved one
// generation on by every refresh, and ended when a cookie older than the live one comes back, which only a
// copy of the cookie can do (OAuth 2.0 Security BCP §4.14, refresh token rotation). Two tabs refreshing at the
// same moment send the same cookie; the second is answered with the live generation for REUSE_GRACE_MS after
// the first rotated it, and ends nothing. Times are on the security clock, passed in.
import { Types } from 'mongoose';
import type { Models } from '../models/index.ts';

/** How long the cookie a refresh replaced is still answered (with the live generation), for racing tabs. */
export const REUSE_GRACE_MS = 30_000;

/** What a refresh cookie names: its session and that session's generation. */
export interface SessionRef {
  sid: string;
  n: number;
}

export type RotateOutcome =
  | { kind: 'live'; session: SessionRef }
  /** An older cookie came back: the session is ended now. */
  | { kind: 'reused' }
  /** No such live session (ended, expired, another user's, or never opened). */
  | { kind: 'ended' };

export async function openSessionCommand(
  models: Models,
  userId: Types.ObjectId,
  now: Date,
  lifetimeMs: number,
): Promise<SessionRef> {
  const _id = new Types.ObjectId();
  await models.StaffSession.collection.updateOne(
    { _id },
    {
      $setOnInsert: {
        userId,
        n: 1,
        rotatedAt: now,
        expiresAt: new Date(now.getTime() + lifetimeMs),
        revokedAt: null,
      },
      $currentDate: { sweepFrom: true },
    },
    { upsert: true },
  );
  return { sid: String(_id), n: 1 };
}

export async function rotateSessionCommand(
  models: Models,
  userId: Types.ObjectId,
  /** The cookie's claims; one from before sessions (no `sid`) has none to rotate. */
  presented: Partial<SessionRef>,
  now: Date,
  lifetimeMs: number,
): Promise<RotateOutcome> {
  const { sid, n } = presented;
  if (sid === undefined || n === undefined || !Types.ObjectId.isValid(sid)) return { kind: 'ended' };
  const sessions = models.StaffSession.collection;
  const live = { _id: new Types.ObjectId(sid), userId, revokedAt: null, expiresAt: { $gt: now } };
  const next = await sessions.findOneAndUpdate(
    { ...live, n },
    {
      $inc: { n: 1 },
      $set: { rotatedAt: now, expiresAt: new Date(now.getTime() + lifetimeMs) },
      $currentDate: { sweepFrom: true },
    },
    { returnDocument: 'after', projection: { n: 1 } },
  );
  if (next) return { kind: 'live', session: { sid, n: next.n as number } };
  const current = await sessions.findOne(live, { projection: { n: 1, rotatedAt: 1 } });
  if (!current) return { kind: 'ended' };
  const replacedJustNow =
    n === current.n - 1 && now.getTime() - (current.rotatedAt as Date).getTime() <= REUSE_GRACE_MS;
  if (replacedJustNow) return { kind: 'live', session: { sid, n: current.n as number } };
  await sessions.updateOne(
    { _id: live._id, revokedAt: null },
    { $set: { revokedAt: now }, $currentDate: { sweepFrom: true } },
  );
  return { kind: 'reused' };
}

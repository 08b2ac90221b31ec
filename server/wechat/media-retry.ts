// What to do after a WeChat picture's download failed (pure, time passed in): try again with a doubling delay
// (1 minute, 2, 4 … at most an hour) while WeChat still keeps the media (three days after the message), or
// give up with a reason staff can read on the issue. A failure that no retry can fix gives up at once.
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../shared/clock.ts';

/** WeChat keeps temporary media this long after the message. */
export const MEDIA_RETENTION_MS = 3 * DAY_MS;
const BASE_DELAY_MS = MINUTE_MS;
const MAX_DELAY_MS = HOUR_MS;

export type MediaRetry = { kind: 'retry'; at: Date; reason: string } | { kind: 'fail'; reason: string };

/** The delay before attempt `attempt + 1`, after `attempt` failed ones (1 → 1 minute). */
export const retryDelayMs = (attempt: number) =>
  Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempt - 1));

export function planMediaRetry(input: {
  /** Failed attempts including this one. */
  attempts: number;
  receivedAt: Date;
  now: Date;
  reason: string;
  permanent: boolean;
}): MediaRetry {
  const { attempts, receivedAt, now, reason, permanent } = input;
  if (permanent) return { kind: 'fail', reason };
  const at = new Date(now.getTime() + retryDelayMs(attempts));
  if (at.getTime() > receivedAt.getTime() + MEDIA_RETENTION_MS)
    return { kind: 'fail', reason: `微信素材保存期（3天）内未能下载：${reason}` };
  return { kind: 'retry', at, reason };
}

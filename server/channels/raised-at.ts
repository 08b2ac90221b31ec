// When the enterprise raised a message, as its channel says (来件时间 on the issue: a work order's, a review's or
// an SMS gateway's receivedAt, a WeChat push's CreateTime, a mail's Date header), judged against the time it
// arrived by one rule: a time ahead of the arrival beyond a clock's skew, or more than a year back, is not a fact
// to show staff. A platform that sends one is refused (its order waits in the dead-letter list for the platform
// to be fixed); a sender's own clock (a mail's Date, which anyone writes) or WeChat's stamp falls back to the
// arrival instead, since WeChat and a mail server have nothing to resend and a refusal would lose the message.
// Pure: the arrival is passed in.
import { ChannelRefusal } from './types.ts';

/** How far a channel's time may be from the arrival: its clock's skew ahead, an outage backlog back. */
export const RECEIVED_AT_RANGE = Object.freeze({ aheadMs: 5 * 60_000, backMs: 366 * 24 * 3600_000 });

function offRange(at: Date, now: Date): 'ahead' | 'old' | null {
  const off = at.getTime() - now.getTime();
  if (off > RECEIVED_AT_RANGE.aheadMs) return 'ahead';
  if (-off > RECEIVED_AT_RANGE.backMs) return 'old';
  return null;
}

/**
 * A platform's receivedAt: one in the future or more than a year back is the platform's mistake, refused with a
 * stable code rather than shown to staff as fact.
 */
export function checkReceivedAt(at: Date | undefined, now: Date): void {
  if (!at) return;
  const off = offRange(at, now);
  if (off === 'ahead')
    throw new ChannelRefusal(
      'invalid_received_at',
      400,
      `字段 receivedAt 无效：${at.toISOString()} 晚于当前时间，请核对平台时钟`,
    );
  if (off === 'old')
    throw new ChannelRefusal(
      'invalid_received_at',
      400,
      `字段 receivedAt 无效：${at.toISOString()} 早于一年前，请核对来件时间`,
    );
}

/**
 * The message's receivedAt and raisedAt from a time its sender stamped (a mail's Date, WeChat's CreateTime):
 * both, when it is a real time in range of the arrival; neither otherwise, so the inbox and the issue keep the
 * arrival.
 */
export function stampedTimes(at: Date | undefined, now: Date): { receivedAt?: Date; raisedAt?: Date } {
  if (!at || Number.isNaN(at.getTime()) || offRange(at, now)) return {};
  return { receivedAt: at, raisedAt: at };
}

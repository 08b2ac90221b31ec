// Whether an issue's 来件时间 (raisedAt: when the enterprise raised it on its channel) tells staff anything its
// 受理时间 (when the centre took it in) does not. Most messages are filed the moment they are sent (every WeChat
// text, most mails), and a second line with the same time only makes staff compare two clocks; a work order
// raised hours before on the 12345 platform, or a dead letter filed days later, differs and is shown. Pure, shared
// by every screen that shows the two times.

/** Less than this apart, the two times are one (the issue page shows minutes). */
export const RAISED_AT_SAME_WITHIN_MS = 60_000;

/** The 来件时间 to show beside 受理时间, or null when there is none or it is the same time to the minute. */
export function shownRaisedAt<T extends string | Date>(
  raisedAt: T | null | undefined,
  receivedAt: string | Date,
): T | null {
  if (!raisedAt) return null;
  const apart = Math.abs(new Date(raisedAt).getTime() - new Date(receivedAt).getTime());
  return Number.isNaN(apart) || apart < RAISED_AT_SAME_WITHIN_MS ? null : raisedAt;
}

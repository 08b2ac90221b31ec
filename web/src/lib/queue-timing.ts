// What a centre queue's card says about time (受理分办台): how long the issue has waited in the queue, and the
// deadline still running for it with its light (the issue's `running`, the same the issue page shows). 待受理
// waits since the issue arrived, against the triage clock; 待审核 since the unit's reply (the handling clock
// stopped there: its light, shown when lit, is the one the reply left); 差评待核实 since the bad rating, against
// the day the centre has to judge it by; 待回访 since the enterprise's rating window closed (no light: the
// handling light says nothing about a callback); 待会商决定 since the consultation opened, against the handling
// deadline, which keeps running through it.
import type { DeskCard, RunningDeadline } from './types.ts';

export interface CardTiming {
  /** When the wait began; null when the issue does not say. */
  since: string | null;
  /** 已等待, 答复已等待…: read before the span. */
  sinceLabel: string;
  /** The deadline still running, shown as a countdown chip whose colour is the light. */
  due: RunningDeadline | null;
  /** Whether the card shows the issue's light: live from `due`, else the stored one and only when lit. */
  light: boolean;
}

export function timingOf(queue: string, issue: DeskCard): CardTiming | null {
  const due = issue.running;
  switch (queue) {
    case 'triage':
      return { since: issue.createdAt, sinceLabel: '已等待', due, light: true };
    case 'verify':
      return { since: issue.reply?.at ?? null, sinceLabel: '答复已等待', due, light: true };
    case 'convene':
      return { since: issue.consultation?.openedAt ?? null, sinceLabel: '会商已进行', due, light: true };
    case 'ratingCheck':
      return { since: issue.rating?.at ?? null, sinceLabel: '差评已等待', due, light: true };
    case 'callback':
      return { since: issue.rateBy, sinceLabel: '评价期满已', due: null, light: false };
    default:
      return null;
  }
}

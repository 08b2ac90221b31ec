// What a centre queue's card says about time (受理分办台): how long the issue has waited in the queue, and the
// deadline still running for it with its light. 待受理 waits since the issue arrived, against the triage clock;
// 待审核 since the unit's reply (the handling clock stopped there: its light, shown when lit, is the one the reply
// left); 差评待核实 since the bad rating, against the day the centre has to judge it by; 待回访 since the
// enterprise's rating window closed (no light: the handling light says nothing about a callback).
import type { ChipDeadlines } from './countdown.ts';
import type { IssueDetail } from './types.ts';

export interface CardTiming {
  /** When the wait began; null when the issue does not say. */
  since: string | null;
  /** 已等待, 答复已等待…: read before the span. */
  sinceLabel: string;
  /** The deadline still running, shown as a countdown chip whose colour is the light. */
  due: { label: string; dueAt: string; deadlines: ChipDeadlines | null } | null;
  /** Whether the card shows the issue's light: live from `due`, else the stored one and only when lit. */
  light: boolean;
}

export function timingOf(queue: string, issue: IssueDetail): CardTiming | null {
  switch (queue) {
    case 'triage': {
      const t = issue.triage;
      return {
        since: issue.createdAt,
        sinceLabel: '已等待',
        due: t
          ? {
              label: '分办时限',
              dueAt: t.dueAt,
              deadlines: { yellowAt: t.yellowAt, redAt: t.dueAt, overdueAt: t.overdueAt },
            }
          : null,
        light: true,
      };
    }
    case 'verify':
      return { since: issue.reply?.at ?? null, sinceLabel: '答复已等待', due: null, light: true };
    case 'ratingCheck': {
      const by = issue.rating?.verifyBy;
      return {
        since: issue.rating?.at ?? null,
        sinceLabel: '差评已等待',
        due: by ? { label: '核实时限', dueAt: by, deadlines: null } : null,
        light: false,
      };
    }
    case 'callback':
      return { since: issue.rateBy, sinceLabel: '评价期满已', due: null, light: false };
    default:
      return null;
  }
}

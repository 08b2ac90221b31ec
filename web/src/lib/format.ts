// Display helpers: instants in China time (Asia/Shanghai, whatever the browser's zone) and the Chinese labels
// of the domain vocabulary.
import { CATEGORY_LABELS } from '../../../config/categories.ts';
import { REGION_LABELS } from '../../../config/units.ts';
import type { CategoryId } from '../../../shared/states.ts';

const dateTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** `2026-03-02 09:00` in China time; `—` when absent. */
export function chinaTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  const p = Object.fromEntries(dateTime.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour === '24' ? '00' : p.hour}:${p.minute}`;
}

const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
/** 0 (Sunday) to 6 of a `YYYY-MM-DD` date. */
export const weekdayIndex = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();
/** 周六 for `2026-02-14`. */
export const weekdayOf = (date: string) => WEEKDAYS[weekdayIndex(date)];

/** `2026-12-18 17:30（周五）`: China time with the weekday of the China date (a promised date). */
export function chinaTimeWithWeekday(iso: string): string {
  const text = chinaTime(iso);
  return `${text}（${weekdayOf(text.slice(0, 10))}）`;
}

export function categoryLabel(id: CategoryId | string): string {
  return (CATEGORY_LABELS as Record<string, string>)[id] ?? id;
}

export function regionLabel(code: string): string {
  return (REGION_LABELS as Record<string, string>)[code] ?? code;
}

export { CATEGORY_LABELS };

/**
 * A channel's own number for the message, when staff can quote it back (a 12345 work order, a 浙里办 case): a
 * mail's Message-ID, a WeChat MsgId and the QR page's form id mean nothing to anyone and are not shown.
 */
export function quotableExternalId(channel: string, externalId: string | null | undefined): string | null {
  if (!externalId || channel === 'email' || channel === 'wechat' || channel === 'qr') return null;
  return externalId;
}

/**
 * Who handles an issue as a list row says it: its unit, or why it has none yet (waiting to be dispatched, or a
 * consultation that will name the lead unit, as after a second 退单).
 */
export function handlingUnitOf(issue: { unitName?: string | null; state: string }): string {
  if (issue.unitName) return issue.unitName;
  if (issue.state === 'received') return '待分办';
  if (issue.state === 'consulting') return '待会商确定';
  return '—';
}

/**
 * A queue's cards due soonest first by the deadline each runs in its own state (a bad rating's 核实时限, not the
 * handling deadline the list sorts on), those with none last; a stable sort keeps the server's order otherwise.
 */
export function byRunningDeadline<T extends { running: { dueAt: string } | null }>(rows: readonly T[]): T[] {
  const due = (r: T) => (r.running ? Date.parse(r.running.dueAt) : Infinity);
  return [...rows].sort((a, b) => due(a) - due(b));
}

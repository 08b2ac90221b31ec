// The words of a notice that no I/O decides: a time as China reads it, the {{ask}} of each role, the {{reason}}
// and {{instruction}} a person gave, and a template stripped of the QR link for a writer who is not the
// enterprise. Kept apart from the notifier (notifier.ts), which reads and writes, so the outbox's drafts
// (outbox-drafts.ts) and other pages' wording (the QR page, class notices) share them without the I/O.
import { chinaDateKey, CHINA_OFFSET_MS } from '../../shared/calendar.ts';
import { ACTION_ROLES } from '../../shared/lifecycle/actions.ts';
import { ROLE_LABELS, type Role } from '../../shared/roles.ts';
import type { IssueChange } from '../commands/issue-deps.ts';
import type { NotifyEvent } from './templates.ts';

/**
 * The {{ask}} of a notice several roles hear: those who may take the step are asked to; the others it reaches
 * are told who will, so that none is asked for what their role cannot do. 待受理超时: the desks that work the
 * 待受理 queue are asked to dispatch; the director, the supervisor and the leaders, who oversee the queue rather
 * than work it, are told the centre has not, for them to press. 待回访 and 企业回复不满意: only the desks that
 * record a callback (受理员, 分办员) are asked to call; the director presses them. 差评 and its overdue
 * reminder: only the approvers who may check a bad rating (分办员, 中心主任) are asked to; the 受理员 is told
 * it is theirs.
 */
const callers = ACTION_ROLES.callback.map((r) => ROLE_LABELS[r]).join('或');
const checkers = ACTION_ROLES.verify_rating.map((r) => ROLE_LABELS[r]).join('或');
const ASKS: Partial<Record<NotifyEvent, { asked: readonly Role[]; ask: string; otherwise: string }>> = {
  triage_overdue: {
    asked: ['clerk', 'dispatcher'],
    ask: '请立即分办',
    otherwise: '服务中心尚未分办，请督促尽快分办',
  },
  callback_due: { asked: ACTION_ROLES.callback, ask: '请电话回访', otherwise: `请督促${callers}电话回访` },
  reply_dissatisfied: {
    asked: ACTION_ROLES.callback,
    ask: '请回访了解原因',
    otherwise: `请督促${callers}回访了解原因`,
  },
  bad_rating: {
    asked: ACTION_ROLES.verify_rating,
    ask: '请于1个工作日内核实',
    otherwise: `由${checkers}于1个工作日内核实`,
  },
  rating_check_due: {
    asked: ACTION_ROLES.verify_rating,
    ask: '请尽快核实：差评合理的安排整改，不合理的说明理由',
    otherwise: `尚待${checkers}核实`,
  },
};
export const askOf = (event: NotifyEvent, role: Role): string => {
  const a = ASKS[event];
  if (!a) return '';
  return a.asked.includes(role) ? a.ask : a.otherwise;
};
/** Steps whose person's reason (the step's note) a notice quotes as {{reason}}. */
const REASONED: ReadonlySet<string> = new Set(['transfer', 'return', 'send_back', 'reclassify']);

/** The {{reason}}: the person's reason, or for a 会商决定 (whose 会商意见 is optional) the decision itself. */
export function reasonOf(change: IssueChange): string {
  if (REASONED.has(change.action)) return change.note ?? '';
  if (change.action === 'decide') return change.note ? `会商决定：${change.note}` : '会商决定';
  return '';
}

export function formatChinaTime(d: Date | undefined | null): string {
  if (!d) return '';
  const t = new Date(new Date(d).getTime() + CHINA_OFFSET_MS).toISOString();
  return `${chinaDateKey(new Date(d))} ${t.slice(11, 16)}`;
}

/**
 * A template for a writer who is not the enterprise (any sender may name a credit code), who is never given the
 * QR page: the link goes, and the clause that offered it says who holds the code (请由企业负责人扫描企业码查看答复
 * 并评价), instead of asking someone without it to scan it. A clause worded otherwise (an admin's) is dropped.
 */
const LINK = /[：:]?\s*\{\{\s*link\s*\}\}/g;
const LINK_CLAUSE = /[，,。；;]?[^，,。；;]*\{\{\s*link\s*\}\}[。.]?/g;
const ended = (text: string) => (/[。！？]$/.test(text) ? text : `${text}。`);
export function withoutLink(template: string): string {
  if (!/\{\{\s*link\s*\}\}/.test(template)) return template;
  const bare = template.replace(LINK, '');
  if (bare.includes('扫描企业码')) return ended(bare.replace(/扫描企业码/g, '由企业负责人扫描企业码'));
  return `${ended(template.replace(LINK_CLAUSE, '').replace(/[，,；;：:\s]+$/, ''))}详情可由企业负责人扫描企业码查看。`;
}

/** A person's urging words (催办意见 from a leader, say), never the sweep's: they go with the notice. */
export function instructionOf(change: IssueChange): string {
  const role = change.actorRole;
  if (!change.note || !role || role === 'system' || role === 'enterprise') return '';
  return `${ROLE_LABELS[role]}意见：${change.note}`;
}

// How the staff timeline names a step and who took it (IssueTimeline.vue): the lifecycle's labels, with the
// entries that are not lifecycle actions (a re-dispatch, the owner's 补充材料) named for what they are.
import { ACTION_LABELS } from '../../../shared/lifecycle/actions.ts';
import { PENDING_LABELS } from '../../../shared/lifecycle/helpers.ts';
import { ROLE_LABELS } from '../../../shared/roles.ts';
import { URGENCY_LABELS } from '../../../shared/states.ts';
import { categoryLabel } from './format.ts';
import type { TimelineEntry } from './types.ts';

type Entry = Pick<TimelineEntry, 'action' | 'actorRole' | 'actorName' | 'data'>;

export function actionLabel(e: Entry): string {
  if (e.action === 'create') return '受理登记';
  if (e.action === 'dispatch' && e.data?.redispatch) return '重新分办';
  if (e.action === 'urge' && e.data?.target === 'sign') return '催签';
  if (e.action === 'urge' && e.data?.target === 'rating_check') return '催办差评核实';
  // The sweep's 督办 at the red light on an issue a person had supervised already: the oversight is told.
  if (e.action === 'supervise' && e.data?.redAlert) return '亮红灯，告知督查';
  // The owner's 补充材料 from the QR page (server/commands/issue-supplement.command.ts).
  if (e.action === 'note' && e.data?.kind === 'enterprise_supplement') return '企业补充材料';
  return ACTION_LABELS[e.action] ?? e.action;
}

export function roleLabel(role: string): string {
  if (role === 'system') return '系统';
  if (role === 'enterprise') return '企业';
  return (ROLE_LABELS as Record<string, string>)[role] ?? role;
}

/** A person by name; the enterprise by its name (its owner on the QR page); the sweep and intake as 系统自动. */
export function who(e: Entry): string {
  if (e.actorRole === 'system') return '系统自动';
  if (e.actorRole === 'enterprise') return e.actorName || '企业（扫码）';
  return e.actorName || roleLabel(e.actorRole);
}

type Classification = { category?: string; urgency?: string };

const urgencyLabel = (u: string): string => (URGENCY_LABELS as Record<string, string>)[u] ?? u;

/**
 * What a 重新分类 changed (its data carries `from` and `to`, each with category and urgency), one line per field
 * that differs: without it the timeline showed only the reason, not what the issue had been and now is.
 */
/**
 * What the unit a step names (`data.unitId`) is to the issue: the lead unit it went to, mostly; the co-unit a
 * 增加协办单位 added; the consulted unit that gave its 会商意见 (not the lead unit, which it may not be).
 */
export function unitLabelOf(action: string): string {
  if (action === 'add_co_unit') return '新增协办单位';
  if (action === 'consult_input') return '提交意见单位';
  return '承办单位';
}

export function reclassifyChanges(e: Pick<TimelineEntry, 'action' | 'data'>): string[] {
  if (e.action !== 'reclassify') return [];
  const { from, to } = (e.data ?? {}) as { from?: Classification; to?: Classification };
  if (!from || !to) return [];
  const out: string[] = [];
  if (to.category && from.category !== to.category)
    out.push(`类别：${categoryLabel(from.category ?? '—')} → ${categoryLabel(to.category)}`);
  if (to.urgency && from.urgency !== to.urgency)
    out.push(`紧急程度：${urgencyLabel(from.urgency ?? '—')} → ${urgencyLabel(to.urgency)}`);
  return out;
}

/** A request awaiting approval that the step ended without a decision (a reply, a transfer, a return…). */
export function withdrawnRequest(e: Pick<TimelineEntry, 'data'>): string | null {
  const kind = e.data?.withdrawn;
  const label = typeof kind === 'string' ? (PENDING_LABELS as Record<string, string>)[kind] : undefined;
  return label ? `待审批的${label}申请随之撤销` : null;
}

/** The number of the issue a merge went into (entries from before it was recorded have none). */
export function mergedIntoNumber(timeline: readonly Pick<TimelineEntry, 'action' | 'data'>[]): string | null {
  const merge = timeline.findLast((e) => e.action === 'merge');
  return typeof merge?.data?.intoNumber === 'string' ? merge.data.intoNumber : null;
}

// The one-line outcomes shown after a redirect (`?msg=`), from a fixed list so a crafted link cannot put words
// on the page, and the order issues are listed in: open first, then finished, newest first within each. After
// a submission, what became of it is read from the issue itself (its own file count, the refusals intake
// noted on it, the open issue it may repeat), never from the link.
import type { IssueState } from '../../../shared/states.ts';
import type { RefusedAttachment } from '../../attachments/attachment.rules.ts';
import { ATTACHMENTS_REFUSED } from '../../intake/attachment-refusals.ts';
import { POSSIBLE_REPEAT } from '../../intake/issue-from-message.ts';

const NOTICES: Readonly<Record<string, string>> = Object.freeze({
  verified: '验证成功，可查看问题详情、反映新问题和评价办理结果。',
  logged_out: '已退出验证。',
  rated_good: '感谢您的评价，该问题已办结。',
  // The centre checks a bad rating before anything is redone (DESIGN §6): promise the check, not a redo. Its
  // outcome shows in the issue's progress (核实评价).
  rated_bad:
    '已收到您的差评。服务中心将在1个工作日内核实，核实结果将在本页显示。如需说明不满意的原因或补充照片，可在该问题下提交。',
  rated_bad_explained:
    '已收到您的差评。服务中心将在1个工作日内核实，核实结果将在本页显示。您写下的原因将一并核实；如还有照片或材料，可在该问题下补充。',
  already_rated: '该问题已评价，无需重复提交。',
  // A rating posted for an issue not waiting for one (a stale page, a hand-built form): no staff state names.
  not_ratable: '该问题目前不在待评价阶段，暂不能评价。',
  submitted: '问题已提交，服务中心将尽快交承办单位办理。',
  preference_saved: '通知方式已保存。',
  // Before dispatch and while a bad rating is checked the centre holds the issue, not a unit.
  supplemented: '补充材料已提交，已通知正在处理该问题的工作人员。',
});

const ISSUE_NUMBER = /^HZ-\d{4}-\d{6}$/;

/** What the issue just submitted became, read from the issue itself (submittedOutcome). */
export interface Submitted {
  /** How many files it holds. */
  stored: number;
  refused: RefusedAttachment[];
  /** The number of the open issue it may repeat (intake flagged it 可能重复 for the clerk). */
  repeatOf?: string;
  /** The unit intake dispatched it to at once, when it did. */
  unitName?: string;
}

export function noticeFor(query: Record<string, unknown>, submitted?: Submitted): string | undefined {
  const key = typeof query.msg === 'string' ? query.msg : '';
  const text = Object.hasOwn(NOTICES, key) ? NOTICES[key] : undefined;
  if (key === 'submitted' && typeof query.n === 'string' && ISSUE_NUMBER.test(query.n)) {
    const files = submitted?.stored ? `，已上传${submitted.stored}个附件` : '';
    const repeat = submitted?.repeatOf
      ? `该问题与您此前反映的 ${submitted.repeatOf} 内容相近，服务中心核实后如属同一问题，将合并办理。`
      : '';
    const next = submitted?.unitName ? `已交${submitted.unitName}办理。` : '服务中心将尽快交承办单位办理。';
    return `问题已提交（编号 ${query.n}）${files}，${next}${repeat}`;
  }
  return text;
}

interface SubmittedRow {
  number: string;
  state?: IssueState;
  unitName?: string | null;
  attachmentCount?: number;
  timeline?: readonly { data?: unknown }[];
}

/** The issue just submitted (`?msg=submitted&n=`, this enterprise's): its files, and a possible repeat. */
export function submittedOutcome(
  query: Record<string, unknown>,
  issues: readonly SubmittedRow[],
): Submitted | undefined {
  if (query.msg !== 'submitted' || typeof query.n !== 'string') return undefined;
  const issue = issues.find((i) => i.number === query.n);
  if (!issue) return undefined;
  const refused: RefusedAttachment[] = [];
  let repeatOf: string | undefined;
  for (const e of issue.timeline ?? []) {
    const data = e.data as
      { kind?: unknown; attachments?: RefusedAttachment[]; number?: unknown } | undefined;
    if (data?.kind === ATTACHMENTS_REFUSED) refused.push(...(data.attachments ?? []));
    if (data?.kind === POSSIBLE_REPEAT && typeof data.number === 'string') repeatOf = data.number;
  }
  const unitName = issue.state !== 'received' && issue.unitName ? issue.unitName : undefined;
  return {
    stored: issue.attachmentCount ?? 0,
    refused,
    ...(repeatOf ? { repeatOf } : {}),
    ...(unitName ? { unitName } : {}),
  };
}

const FINISHED = new Set(['closed', 'merged', 'rejected']);

export function sortForOwner<T extends { state: IssueState; createdAt: Date }>(issues: readonly T[]): T[] {
  const rank = (i: T) => (FINISHED.has(i.state) ? 1 : 0);
  return [...issues].sort(
    (a, b) => rank(a) - rank(b) || new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime(),
  );
}

// The one-line outcomes shown after a redirect (`?msg=`), from a fixed list so a crafted link cannot put words
// on the page, and the order issues are listed in: open first, then finished, newest first within each. After
// a submission, what became of its files is read from the issue itself (its own count, and the refusals intake
// noted on it), never from the link.
import type { IssueState } from '../../../shared/states.ts';
import type { RefusedAttachment } from '../../attachments/attachment.store.ts';
import { ATTACHMENTS_REFUSED } from '../../intake/attachment-refusals.ts';

const NOTICES: Readonly<Record<string, string>> = Object.freeze({
  verified: '验证成功，可查看问题详情、反映新问题和评价办理结果。',
  logged_out: '已退出验证。',
  rated_good: '感谢您的评价，该问题已办结。',
  // The centre checks a bad rating before anything is redone (DESIGN §6): promise the check, not a redo. Its
  // outcome shows in the issue's progress (核实评价).
  rated_bad: '已收到您的差评。服务中心将在1个工作日内核实，核实结果将在本页显示。',
  already_rated: '该问题已评价，无需重复提交。',
  submitted: '问题已提交，我们将尽快分办处理。',
  preference_saved: '通知方式已保存。',
  supplemented: '补充材料已提交，已通知办理单位。',
});

const ISSUE_NUMBER = /^HZ-\d{4}-\d{6}$/;

/** `stored`: how many files the submitted issue holds (submittedFiles). */
export function noticeFor(query: Record<string, unknown>, stored?: number): string | undefined {
  const key = typeof query.msg === 'string' ? query.msg : '';
  const text = Object.hasOwn(NOTICES, key) ? NOTICES[key] : undefined;
  if (key === 'submitted' && typeof query.n === 'string' && ISSUE_NUMBER.test(query.n)) {
    const files = stored ? `，已上传${stored}个附件` : '';
    return `问题已提交（编号 ${query.n}）${files}，我们将尽快分办处理。`;
  }
  return text;
}

interface SubmittedRow {
  number: string;
  attachmentCount?: number;
  timeline?: readonly { data?: unknown }[];
}

/** The files of the issue just submitted (`?msg=submitted&n=`, one of this enterprise's): kept and refused. */
export function submittedFiles(
  query: Record<string, unknown>,
  issues: readonly SubmittedRow[],
): { stored: number; refused: RefusedAttachment[] } | undefined {
  if (query.msg !== 'submitted' || typeof query.n !== 'string') return undefined;
  const issue = issues.find((i) => i.number === query.n);
  if (!issue) return undefined;
  const refused = (issue.timeline ?? []).flatMap((e) => {
    const data = e.data as { kind?: unknown; attachments?: RefusedAttachment[] } | undefined;
    return data?.kind === ATTACHMENTS_REFUSED ? (data.attachments ?? []) : [];
  });
  return { stored: issue.attachmentCount ?? 0, refused };
}

const FINISHED = new Set(['closed', 'merged', 'rejected']);

export function sortForOwner<T extends { state: IssueState; createdAt: Date }>(issues: readonly T[]): T[] {
  const rank = (i: T) => (FINISHED.has(i.state) ? 1 : 0);
  return [...issues].sort(
    (a, b) => rank(a) - rank(b) || new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime(),
  );
}

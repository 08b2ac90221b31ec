// The one-line outcomes shown after a redirect (`?msg=`), from a fixed list so a crafted link cannot put words
// on the page, and the order issues are listed in: open first, then finished, newest first within each.
import type { IssueState } from '../../../shared/states.ts';

const NOTICES: Readonly<Record<string, string>> = Object.freeze({
  verified: '验证成功，可查看问题详情、反映新问题和评价办理结果。',
  logged_out: '已退出验证。',
  rated_good: '感谢您的评价，该问题已办结。',
  rated_bad: '已收到您的评价。服务中心将在1个工作日内核实，并督促责任单位重新办理。',
  already_rated: '该问题已评价，无需重复提交。',
  submitted: '问题已提交，我们将尽快分办处理。',
  preference_saved: '通知方式已保存。',
});

const ISSUE_NUMBER = /^HZ-\d{4}-\d{6}$/;

export function noticeFor(query: Record<string, unknown>): string | undefined {
  const key = typeof query.msg === 'string' ? query.msg : '';
  const text = Object.hasOwn(NOTICES, key) ? NOTICES[key] : undefined;
  if (key === 'submitted' && typeof query.n === 'string' && ISSUE_NUMBER.test(query.n)) {
    return `问题已提交（编号 ${query.n}），我们将尽快分办处理。`;
  }
  return text;
}

const FINISHED = new Set(['closed', 'merged', 'rejected']);

export function sortForOwner<T extends { state: IssueState; createdAt: Date }>(issues: readonly T[]): T[] {
  const rank = (i: T) => (FINISHED.has(i.state) ? 1 : 0);
  return [...issues].sort(
    (a, b) => rank(a) - rank(b) || new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime(),
  );
}

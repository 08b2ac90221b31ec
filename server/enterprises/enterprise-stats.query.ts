// An enterprise's issue counts and KPIs for its page in the directory: its issues read on the enterprise
// index (an enterprise has a handful, a busy one hundreds), the figures computed with shared/kpi.ts itself.
import { Types } from 'mongoose';
import { computeKpis, type KpiIssue } from '../../shared/kpi.ts';
import { isPastDue, TERMINAL_STATES, type IssueState } from '../../shared/states.ts';
import type { IssueDoc, Models } from '../models/index.ts';

/** Enough for any real enterprise; beyond it the figures cover the most recent issues. */
export const STATS_MAX_ISSUES = 5000;

const KPI_FIELDS = {
  enterpriseId: 1,
  category: 1,
  createdAt: 1,
  state: 1,
  signedAt: 1,
  signedLate: 1,
  repliedLate: 1,
  returnCount: 1,
  redoCount: 1,
  extensionCount: 1,
  rating: 1,
  ratingHistory: 1,
  deadlines: 1,
  warning: 1,
} as const;

export async function enterpriseIssueStats(models: Models, enterpriseId: string) {
  const issues = await models.Issue.find({ enterpriseId: new Types.ObjectId(enterpriseId) }, KPI_FIELDS)
    .sort({ createdAt: -1, _id: -1 })
    .limit(STATS_MAX_ISSUES)
    .lean<IssueDoc[]>();
  const byState: Partial<Record<IssueState, number>> = {};
  for (const i of issues) byState[i.state] = (byState[i.state] ?? 0) + 1;
  const open = issues.filter((i) => !TERMINAL_STATES.includes(i.state));
  const kpi = computeKpis(issues.map((i) => ({ ...i, enterpriseId: String(i.enterpriseId) }) as KpiIssue));
  return {
    total: issues.length,
    open: open.length,
    closed: byState.closed ?? 0,
    overdue: open.filter((i) => isPastDue(i.warning)).length,
    byState,
    kpis: {
      signTimelyRate: kpi.signTimeliness.rate,
      onTimeRate: kpi.onTimeCompletion.rate,
      satisfactionRate: kpi.satisfaction.rate,
      oneTimeRate: kpi.oneTimeResolution.rate,
      repeatRate: kpi.repeatComplaint.rate,
      returnRate: kpi.returnRate.rate,
      rectificationRate: kpi.rectification.rate,
    },
  };
}

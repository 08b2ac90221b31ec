// The class problems (一类事) as the API presents them (GET /api/class-problems, …/:id, …/candidates/:id): the
// list rows, one class problem with its members, one candidate with its members, and each member's outcome of
// 政策性解决 or 审核.
import { MIN_CLASS_MEMBERS, type CategoryId, type IssueState } from '../../../shared/states.ts';

export interface Member {
  id: string;
  number: string;
  title: string;
  state: IssueState;
  stateLabel: string;
  enterpriseName: string;
  region: string;
  unitName: string | null;
  ageDays: number;
  /** The enterprise's rating of its issue; null until rated (or when the centre removed a bad one). */
  rating?: 'good' | 'bad' | null;
  /**
   * False: a member the reader may not open (another unit's for a unit's staff, another county's for a county
   * leader, every member for the admin): number, enterprise and state only.
   */
  readable?: boolean;
}
export interface ClassItem {
  id: string;
  number: string;
  title: string;
  category: CategoryId;
  categoryLabel: string;
  state: 'handling' | 'replied' | 'closed';
  stateLabel: string;
  memberCount: number;
  enterpriseCount: number;
  openCount: number;
  /** Members whose enterprise rated the answer bad (and the centre kept the rating). */
  badRatingCount: number;
  ageDays: number;
  newAfterFix: number;
  leadUnitName: string;
  coUnitNames: string[];
  deadline: string;
  workingDays: number;
  overdue: boolean;
}
export interface ClassDetail extends ClassItem {
  rootCause: string;
  measure: string;
  answer: string | null;
  members: Member[];
  suggested: Member[];
}
export interface Outcome {
  number: string;
  enterpriseName: string;
  result: string;
  state: IssueState;
  retries: number;
}

/** Members a promotion needs at least, and a class keeps (server: `too_few_members`). */
export { MIN_CLASS_MEMBERS };

/**
 * Said beside a candidate's count when some members cannot be promoted (finished, not yet dispatched, or in a
 * class already): without it a disabled 立项 says nothing about why.
 */
export function promotableNote(c: { promotableCount: number; memberCount: number }): string {
  if (c.promotableCount >= c.memberCount) return '';
  const rest = '其余已办结、未分办或已在类问题中';
  return c.promotableCount < MIN_CLASS_MEMBERS
    ? `可立项 ${c.promotableCount} 个，不足 ${MIN_CLASS_MEMBERS} 个：${rest}`
    : `可立项 ${c.promotableCount} 个，${rest}`;
}

export interface CandidateMember extends Member {
  /** The start of its text; absent on an outline (`readable: false`). */
  excerpt?: string;
  createdAt: string;
  /** False once in another class problem, finished, or back at the desk: promotion would skip it. */
  available: boolean;
}
/** GET /api/class-problems/candidates/:clusterId: the candidate with its members. */
export interface CandidateDetail {
  id: string;
  memberCount: number;
  enterpriseCount: number;
  /** Empty when the reader may not open the representative issue. */
  suggestedTitle: string;
  members: CandidateMember[];
}

/** A candidate class problem as the candidates list gives it. */
export interface Candidate {
  id: string;
  categoryLabel: string;
  /** `text` is null for a reader who may not open every issue (a county leader, the admin). */
  representative: { issueId: string; number: string; text: string | null };
  keywords: string[];
  memberCount: number;
  /** Members 立项 would take now (not finished, dispatched, in no class problem). */
  promotableCount: number;
  enterpriseCount: number;
  regions: { code: string; name: string }[];
  units: { id: string; name: string }[];
  oldestAgeDays: number;
}

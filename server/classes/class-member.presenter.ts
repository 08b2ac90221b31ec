// A class problem's or a candidate's member issues as the class screens show them: which fields are read (one
// projection for every list), how the enterprise's rating counts, and the two presentations, in full for a
// reader who may open the issue and an outline (no content) for one who may not. Shared by the class list and
// detail (class-problem.query.ts) and the candidate reads (class-candidate.query.ts).
import type { Types } from 'mongoose';
import { REGION_LABELS } from '../../config/units.ts';
import { DAY_MS } from '../../shared/clock.ts';
import {
  CLASS_LINKABLE_STATES,
  STATE_LABELS,
  type IssueState,
  type Rating,
  type Tier,
  type WarningLevel,
} from '../../shared/states.ts';

export const regionLabel = (r: string) => (REGION_LABELS as Record<string, string>)[r] ?? r;
export const ageDays = (from: Date, now: Date) =>
  Math.max(0, Math.floor((now.getTime() - from.getTime()) / DAY_MS));
/** Promotion and 纳入 take only members in no class yet, with a unit and not finished. */
export const isLinkable = (m: { state: IssueState; classProblemId?: unknown }) =>
  !m.classProblemId && CLASS_LINKABLE_STATES.includes(m.state);

export interface MemberRow {
  _id: Types.ObjectId;
  number: string;
  title: string;
  state: IssueState;
  enterpriseId: Types.ObjectId;
  enterpriseName: string;
  region: string;
  unitName: string | null;
  createdAt: Date;
  classProblemId?: Types.ObjectId | null;
  // What decides who may open the member (issue.policy.ts canViewIssue).
  unitId?: Types.ObjectId | null;
  coUnitIds?: Types.ObjectId[];
  consultUnitIds?: Types.ObjectId[];
  tier: Tier;
  warning: WarningLevel;
  rating?: MemberRating | null;
  ratingHistory?: MemberRating[];
}

type MemberRating = { rating: Rating; verification?: 'pending' | 'reasonable' | 'removed' };

/**
 * How the member's enterprise rated the shared answer: its rating, unless the centre removed it; a bad rating
 * judged reasonable (the issue redone, the rating kept in its history) until the enterprise rates again.
 */
function ratingOf(m: MemberRow): Rating | null {
  if (m.rating) return m.rating.verification === 'removed' ? null : m.rating.rating;
  const kept = m.ratingHistory?.at(-1);
  return kept?.verification === 'reasonable' ? kept.rating : null;
}

/** The member's enterprise rated it bad, and the centre has not removed that rating: the class did not land. */
export const ratedBad = (m: MemberRow) => ratingOf(m) === 'bad';

/** The fields of a member row (MemberRow) every class read projects. */
export const MEMBER_FIELDS = {
  number: 1,
  title: 1,
  state: 1,
  enterpriseId: 1,
  enterpriseName: 1,
  region: 1,
  unitName: 1,
  createdAt: 1,
  classProblemId: 1,
  unitId: 1,
  coUnitIds: 1,
  consultUnitIds: 1,
  tier: 1,
  warning: 1,
  rating: 1,
  ratingHistory: 1,
} as const;

export const presentMember = (m: MemberRow, now: Date) => ({
  id: String(m._id),
  number: m.number,
  title: m.title,
  state: m.state,
  stateLabel: STATE_LABELS[m.state],
  enterpriseName: m.enterpriseName,
  region: regionLabel(m.region),
  unitName: m.unitName,
  createdAt: m.createdAt,
  ageDays: ageDays(m.createdAt, now),
  /** The enterprise's rating of its own issue (好评/差评), null until rated or when the centre removed it. */
  rating: ratingOf(m),
});

/** A member the viewer's unit may not open: which issue, whose, how far; none of its content. */
export const presentOutline = (m: MemberRow) => ({
  readable: false as const,
  id: String(m._id),
  number: m.number,
  state: m.state,
  stateLabel: STATE_LABELS[m.state],
  enterpriseName: m.enterpriseName,
});

/** What decides who may open the member: the scope canReadIssue reads. */
export const memberScope = (m: MemberRow) => ({
  unitId: m.unitId ? String(m.unitId) : null,
  coUnitIds: (m.coUnitIds ?? []).map(String),
  consultUnitIds: (m.consultUnitIds ?? []).map(String),
  tier: m.tier,
  warning: m.warning,
  region: m.region,
});

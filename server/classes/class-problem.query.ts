// Reads of class problems (issue 7 §3): the candidate clusters, the list with its figures (members,
// enterprises, age, state, new members after the fix) and the monthly report, and one class problem with its
// members, one candidate with its members (to promote all or some of them). Presents exactly the fields the
// screen shows.
import { Types } from 'mongoose';
import { CATEGORY_LABELS } from '../../config/categories.ts';
import { REGION_LABELS } from '../../config/units.ts';
import { chinaDateKey } from '../../shared/calendar.ts';
import { DAY_MS } from '../../shared/clock.ts';
import {
  CLASS_LINKABLE_STATES,
  STATE_LABELS,
  type CategoryId,
  type IssueState,
  type Rating,
  type Tier,
  type WarningLevel,
} from '../../shared/states.ts';
import { notFound } from '../errors.ts';
import type { Actor } from '../../shared/roles.ts';
import type { Models } from '../models/index.ts';
import { canReadIssue, kpiScopeOf, readsEveryIssue } from '../policies/screens.policy.ts';
import { canManageClassProblems } from './class-problem.policy.ts';
import type { ClassClusterDoc, ClassProblemDoc } from '../models/class-problem.model.ts';
import { isCandidateSize } from './cluster.job.ts';

const FINISHED: IssueState[] = ['closed', 'merged', 'rejected'];
const ANSWERED: IssueState[] = ['replied', 'awaiting_rating', 'closed'];
const regionLabel = (r: string) => (REGION_LABELS as Record<string, string>)[r] ?? r;
const ageDays = (from: Date, now: Date) => Math.max(0, Math.floor((now.getTime() - from.getTime()) / DAY_MS));
const monthKey = (d: Date) => chinaDateKey(d).slice(0, 7);
/** Promotion and 纳入 take only members in no class yet, with a unit and not finished. */
const isLinkable = (m: { state: IssueState; classProblemId?: unknown }) =>
  !m.classProblemId && CLASS_LINKABLE_STATES.includes(m.state);

/**
 * `withText`: the representative's words, for a reader who may open any issue in the city. `promotable`: how
 * many members 立项 would take now (the summary's counts are the clustering run's; members finish since).
 */
export function presentCandidate(c: ClassClusterDoc, now: Date, withText: boolean, promotable: number) {
  const s = c.summary;
  return {
    id: String(c._id),
    category: c.category,
    categoryLabel: CATEGORY_LABELS[c.category],
    representative: {
      issueId: String(s.representative.issueId),
      number: s.representative.number,
      text: withText ? s.representative.text : null,
    },
    keywords: s.keywords,
    memberCount: s.memberCount,
    promotableCount: promotable,
    enterpriseCount: s.enterpriseCount,
    regions: s.regions.map((r) => ({ code: r, name: regionLabel(r) })),
    units: s.units.map((u) => ({ id: String(u.id), name: u.name })),
    oldestAt: s.oldestAt,
    oldestAgeDays: ageDays(s.oldestAt, now),
    updatedAt: c.updatedAt,
    classProblemId: c.classProblemId ? String(c.classProblemId) : null,
  };
}

/**
 * Whether the viewer reads a candidate's representative text: whoever reads every issue, and a county leader
 * when every member is of the county (the representative among them).
 */
function readsCandidateText(viewer: Actor, c: Pick<ClassClusterDoc, 'summary'>): boolean {
  if (readsEveryIssue(viewer)) return true;
  const { region } = kpiScopeOf(viewer);
  return viewer.role === 'leader' && !!region && c.summary.regions.every((r) => r === region);
}

/** Candidate clusters: not yet promoted, at least three members from at least two enterprises. */
export async function listCandidates(models: Models, viewer: Actor, now: Date, category?: CategoryId) {
  const docs = await models.ClassCluster.find({
    classProblemId: null,
    ...(category ? { category } : {}),
  }).lean();
  const sized = docs
    .filter((c) => isCandidateSize(c.summary.memberCount) && c.summary.enterpriseCount >= 2)
    .sort(
      (a, b) =>
        b.summary.memberCount - a.summary.memberCount ||
        a.summary.oldestAt.getTime() - b.summary.oldestAt.getTime(),
    );
  // One read of every candidate member's state (which of them 立项 would take) and county.
  const rows = await models.Issue.collection
    .find<{ _id: Types.ObjectId; state: IssueState; classProblemId?: unknown; region: string }>(
      { _id: { $in: sized.flatMap((c) => c.memberIds) } },
      { projection: { state: 1, classProblemId: 1, region: 1 } },
    )
    .toArray();
  const linkable = new Set(rows.filter(isLinkable).map((m) => String(m._id)));
  const inScope = inViewerScope(viewer, rows);
  const shown = sized.filter((c) => c.memberIds.some((id) => inScope(String(id))));
  const items = shown.map((c) =>
    presentCandidate(
      c,
      now,
      readsCandidateText(viewer, c),
      c.memberIds.filter((id) => linkable.has(String(id))).length,
    ),
  );
  const lastRunAt = docs.reduce<Date | null>((m, c) => (!m || c.updatedAt > m ? c.updatedAt : m), null);
  return { items, lastRunAt };
}

/**
 * Which issues (by id) put a candidate before this viewer: any, for those who read the city's issues or its
 * figures (the centre, a city-wide leader, the admin); for a county leader, the county's. A candidate of other
 * counties' enterprises alone is not theirs to see: not listed, and its members a 404.
 */
function inViewerScope(viewer: Actor, rows: readonly { _id: Types.ObjectId; region: string }[]) {
  const region = kpiScopeOf(viewer).region;
  if (typeof region !== 'string') return () => true;
  const own = new Set(rows.filter((r) => r.region === region).map((r) => String(r._id)));
  return (id: string) => own.has(id);
}

/** A candidate that is not there, or not the viewer's to see: the same answer. */
export const clusterGone = () =>
  notFound('候选类问题不存在（可能已在新一轮聚类中解散）', 'cluster_not_found');

interface MemberRow {
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
const ratedBad = (m: MemberRow) => ratingOf(m) === 'bad';

const MEMBER_FIELDS = {
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

/** The class problem's state as people read it: closed once every member is finished. */
function stateOf(cls: ClassProblemDoc, members: readonly MemberRow[]): ClassProblemDoc['state'] {
  if (cls.state === 'handling') return 'handling';
  return members.length && members.every((m) => FINISHED.includes(m.state)) ? 'closed' : 'replied';
}

const STATE_LABEL = { handling: '办理中', replied: '已政策性解决', closed: '已办结' } as const;

function figures(
  cls: ClassProblemDoc,
  members: readonly MemberRow[],
  clusterNew: readonly MemberRow[],
  now: Date,
) {
  const state = stateOf(cls, members);
  const after = cls.resolvedAt;
  const newAfterFix = after
    ? new Set([...members, ...clusterNew].filter((m) => m.createdAt > after).map((m) => String(m._id))).size
    : 0;
  return {
    id: String(cls._id),
    number: cls.number,
    title: cls.title,
    category: cls.category,
    categoryLabel: CATEGORY_LABELS[cls.category],
    state,
    stateLabel: STATE_LABEL[state],
    memberCount: members.length,
    enterpriseCount: new Set(members.map((m) => String(m.enterpriseId))).size,
    openCount: members.filter((m) => !ANSWERED.includes(m.state) && !FINISHED.includes(m.state)).length,
    badRatingCount: members.filter(ratedBad).length,
    regions: [...new Set(members.map((m) => m.region))].map((r) => ({ code: r, name: regionLabel(r) })),
    ageDays: ageDays(cls.createdAt, now),
    oldestMemberAgeDays: members.length ? Math.max(...members.map((m) => ageDays(m.createdAt, now))) : 0,
    newAfterFix,
    leadUnitId: String(cls.leadUnitId),
    leadUnitName: cls.leadUnitName,
    coUnitNames: cls.coUnitNames,
    workingDays: cls.workingDays,
    deadline: cls.deadline,
    overdue: state === 'handling' && cls.deadline < now,
    createdAt: cls.createdAt,
    resolvedAt: cls.resolvedAt,
    promotedByName: cls.promotedByName,
    rootCause: cls.rootCause,
    measure: cls.measure,
    answer: cls.answer ?? null,
    version: cls.version,
  };
}

/** Members of every class problem and the later arrivals of their clusters, in two reads. */
async function membersOf(models: Models, classes: readonly ClassProblemDoc[]) {
  const ids = classes.flatMap((c) => c.memberIds);
  const clusters = await models.ClassCluster.find(
    { classProblemId: { $in: classes.map((c) => c._id) } },
    { classProblemId: 1, memberIds: 1 },
  ).lean();
  const clusterIds = clusters.flatMap((c) => c.memberIds);
  const rows = await models.Issue.collection
    .find<MemberRow>({ _id: { $in: [...ids, ...clusterIds] } }, { projection: MEMBER_FIELDS })
    .toArray();
  const byId = new Map(rows.map((r) => [String(r._id), r]));
  const pick = (list: readonly Types.ObjectId[]) =>
    list.map((id) => byId.get(String(id))).filter((r): r is MemberRow => !!r);
  const clusterOf = new Map(clusters.map((c) => [String(c.classProblemId), c.memberIds]));
  return (cls: ClassProblemDoc) => ({
    members: pick(cls.memberIds),
    clusterOnly: pick(clusterOf.get(String(cls._id)) ?? []).filter(
      (m) => !cls.memberIds.some((id) => String(id) === String(m._id)),
    ),
  });
}

export interface MonthRow {
  month: string;
  promoted: number;
  resolved: number;
  members: number;
  enterprises: number;
  newAfterFix: number;
}

/** The list and its monthly report (by month of promotion and of resolution, the last 12 months). */
export async function listClassProblems(
  models: Models,
  now: Date,
  month?: string,
  filter: Record<string, unknown> = {},
) {
  const classes = await models.ClassProblem.find(filter).sort({ createdAt: -1, _id: -1 }).lean();
  const of = await membersOf(models, classes);
  const all = classes.map((c) => {
    const { members, clusterOnly } = of(c);
    return figures(c, members, clusterOnly, now);
  });
  const months: string[] = [];
  for (let d = new Date(now); months.length < 12; d = new Date(d.getTime() - 28 * DAY_MS)) {
    const k = monthKey(d);
    if (!months.includes(k)) months.push(k);
  }
  const byMonth: MonthRow[] = months.sort().map((m) => {
    const promoted = all.filter((c) => monthKey(c.createdAt) === m);
    return {
      month: m,
      promoted: promoted.length,
      resolved: all.filter((c) => c.resolvedAt && monthKey(c.resolvedAt) === m).length,
      members: promoted.reduce((n, c) => n + c.memberCount, 0),
      enterprises: promoted.reduce((n, c) => n + c.enterpriseCount, 0),
      newAfterFix: all
        .filter((c) => c.resolvedAt && monthKey(c.resolvedAt) === m)
        .reduce((n, c) => n + c.newAfterFix, 0),
    };
  });
  const items = month
    ? all.filter((c) => monthKey(c.createdAt) <= month && (!c.resolvedAt || monthKey(c.resolvedAt) >= month))
    : all;
  return { items, byMonth };
}

/** The classes a unit leads or co-handles (the list its handlers and head see). */
export const unitClassesFilter = (unitId: string) => ({
  $or: [{ leadUnitId: new Types.ObjectId(unitId) }, { coUnitIds: new Types.ObjectId(unitId) }],
});

const presentMember = (m: MemberRow, now: Date) => ({
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

const EXCERPT = 80;
const TITLE_CLAUSE = 20;
const MIN_TITLE = 10;
/**
 * Lead-ins that say who speaks, not what the problem is (「来电人反映，…」「您好，…」), and the speaker as the
 * subject (「我们在织里工业园区…」): a class title names the problem, not one enterprise.
 */
const LEAD_IN =
  /^(?:(?:您好|你好)[，,！!。\s]*)?(?:(?:来电人|来电|该企业|企业|我司|我们|我)?(?:反映|反应|表示|称)[：:，,\s]*)?(?:(?:我们公司|我公司|我们厂|我厂|本公司|我们|我司)(?:这边|在|位于)?)?/;

/**
 * The promote dialog's default title: the representative's own title, or (a title cut from the content only
 * repeats it) the first clause of its content, so the leader starts from words an enterprise used.
 */
export function suggestedTitle(issue: { title?: string | null; content: string }): string {
  const title = issue.title?.trim();
  if (title && !issue.content.startsWith(title)) return title.slice(0, 100);
  const text = issue.content.trim().replace(LEAD_IN, '');
  // Clauses until the title says something (a place alone, 我们在织里工业园区, is not yet the problem).
  let opening = '';
  for (const clause of text.split(/[，。！？；,.!?;\n]/).map((c) => c.trim())) {
    if (opening.length >= MIN_TITLE) break;
    opening += clause;
  }
  return (opening || text).slice(0, TITLE_CLAUSE);
}

/**
 * One candidate with its members (who is in it, before promoting all or some of them); a member the viewer may
 * not open is an outline, without its words.
 */
export async function candidateDetail(models: Models, viewer: Actor, clusterId: string, now: Date) {
  const cluster = Types.ObjectId.isValid(clusterId)
    ? await models.ClassCluster.findById(clusterId).lean()
    : null;
  if (!cluster) throw clusterGone();
  const rows = await models.Issue.collection
    .find<MemberRow & { content: string }>(
      { _id: { $in: cluster.memberIds } },
      { projection: { ...MEMBER_FIELDS, content: 1 } },
    )
    .toArray();
  rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const inScope = inViewerScope(viewer, rows);
  if (!rows.some((r) => inScope(String(r._id)))) throw clusterGone();
  const readable = (m: MemberRow) => canReadIssue(viewer, scopeOf(m));
  const rep = rows.find((r) => String(r._id) === String(cluster.summary.representative.issueId));
  return {
    ...presentCandidate(cluster, now, readsCandidateText(viewer, cluster), rows.filter(isLinkable).length),
    suggestedTitle: rep && readable(rep) ? suggestedTitle(rep) : '',
    members: rows.map((m) =>
      readable(m)
        ? {
            ...presentMember(m, now),
            readable: true as const,
            excerpt: m.content.length > EXCERPT ? `${m.content.slice(0, EXCERPT)}…` : m.content,
            available: isLinkable(m),
          }
        : { ...presentOutline(m), available: isLinkable(m) },
    ),
  };
}

/** A member the viewer's unit may not open: which issue, whose, how far; none of its content. */
const presentOutline = (m: MemberRow) => ({
  readable: false as const,
  id: String(m._id),
  number: m.number,
  state: m.state,
  stateLabel: STATE_LABELS[m.state],
  enterpriseName: m.enterpriseName,
});

const scopeOf = (m: MemberRow) => ({
  unitId: m.unitId ? String(m.unitId) : null,
  coUnitIds: (m.coUnitIds ?? []).map(String),
  consultUnitIds: (m.consultUnitIds ?? []).map(String),
  tier: m.tier,
  warning: m.warning,
  region: m.region,
});

/**
 * One class problem. The viewer sees in full the members they may open (a unit's staff those of their unit, a
 * county leader those of the county, the admin none) and the rest as outlines; suggestions (issues the
 * clustering put with the class, to add by hand) only if they manage classes.
 */
export async function classProblemDetail(models: Models, cls: ClassProblemDoc, now: Date, viewer: Actor) {
  const { members, clusterOnly } = (await membersOf(models, [cls]))(cls);
  const present = (m: MemberRow) =>
    canReadIssue(viewer, scopeOf(m))
      ? { ...presentMember(m, now), readable: true as const }
      : presentOutline(m);
  return {
    ...figures(cls, members, clusterOnly, now),
    members: members.map(present),
    // Issues the clustering put with this class that are not members (yet): candidates to add by hand.
    suggested: canManageClassProblems(viewer)
      ? clusterOnly.filter(isLinkable).map((m) => presentMember(m, now))
      : [],
  };
}

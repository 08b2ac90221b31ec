// Reads of class problems (issue 7 §3): the list with its figures (members, enterprises, age, state, new
// members after the fix) and the monthly report, and one class problem with its members. Presents exactly the
// fields the screen shows. The candidate clusters are read by class-candidate.query.ts.
import { Types } from 'mongoose';
import { CATEGORY_LABELS } from '../../config/categories.ts';
import { chinaDateKey } from '../../shared/calendar.ts';
import { DAY_MS } from '../../shared/clock.ts';
import type { IssueState } from '../../shared/states.ts';
import type { Actor } from '../../shared/roles.ts';
import type { Models } from '../models/index.ts';
import type { ClassProblemDoc } from '../models/class-problem.model.ts';
import { canReadIssue } from '../policies/screens.policy.ts';
import { canManageClassProblems } from './class-problem.policy.ts';
import {
  ageDays,
  isLinkable,
  MEMBER_FIELDS,
  memberScope,
  presentMember,
  presentOutline,
  ratedBad,
  regionLabel,
  type MemberRow,
} from './class-member.presenter.ts';

const FINISHED: IssueState[] = ['closed', 'merged', 'rejected'];
const ANSWERED: IssueState[] = ['replied', 'awaiting_rating', 'closed'];
const monthKey = (d: Date) => chinaDateKey(d).slice(0, 7);

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

/**
 * One class problem. The viewer sees in full the members they may open (a unit's staff those of their unit, a
 * county leader those of the county, the admin none) and the rest as outlines; suggestions (issues the
 * clustering put with the class, to add by hand) only if they manage classes.
 */
export async function classProblemDetail(models: Models, cls: ClassProblemDoc, now: Date, viewer: Actor) {
  const { members, clusterOnly } = (await membersOf(models, [cls]))(cls);
  const present = (m: MemberRow) =>
    canReadIssue(viewer, memberScope(m))
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

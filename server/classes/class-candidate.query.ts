// Reads of the candidate clusters (issue 7 §3): the list of candidates the clustering found, and one candidate
// with its members, to promote all or some of them. Who sees a candidate and its representative's words is
// decided here (the viewer's county, or the whole city); the members are presented by class-member.presenter.ts.
import { Types } from 'mongoose';
import { CATEGORY_LABELS } from '../../config/categories.ts';
import type { CategoryId, IssueState } from '../../shared/states.ts';
import type { Actor } from '../../shared/roles.ts';
import { notFound } from '../errors.ts';
import type { Models } from '../models/index.ts';
import type { ClassClusterDoc } from '../models/class-problem.model.ts';
import { canReadIssue, kpiScopeOf, readsEveryIssue } from '../policies/screens.policy.ts';
import {
  ageDays,
  isLinkable,
  MEMBER_FIELDS,
  memberScope,
  presentMember,
  presentOutline,
  regionLabel,
  type MemberRow,
} from './class-member.presenter.ts';
import { suggestedTitle } from './class-title.ts';
import { isCandidateSize } from './cluster.job.ts';

const EXCERPT = 80;

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
  const readable = (m: MemberRow) => canReadIssue(viewer, memberScope(m));
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

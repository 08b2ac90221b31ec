// "Similar issues" on an issue (issue 7 §2): the issues whose text is most alike, the same enterprise's first,
// then other enterprises' of the same category. Two bounded, index-backed reads within the caller's
// visibility (the enterprise's newest issues on {enterpriseId, createdAt}; the category's newest on
// {category, state, createdAt}), scored in memory by the text core; 404 for an issue the caller may not read.
// The enterprise's own issues are scored as possible repeats (the duplicate check's probability); other
// enterprises' by how much of their wording they share (the TF-IDF cosine): they are never the same
// complaint, and the repeat probability of two short texts on different problems sharing a phrase read 91%.
import { Types } from 'mongoose';
import { ISSUE_STATES } from '../../../shared/states.ts';
import type { Actor } from '../../../shared/roles.ts';
import type { Models } from '../../models/index.ts';
import type { IssueDoc } from '../../models/issue.model.ts';
import { issueVisibilityFilter } from '../../policies/issue.policy.ts';
import { issueText } from '../../text/issue-text.ts';
import type { SimilarityMeasure } from '../../text/repeat.ts';
import { allOf } from './issue-list.filter.ts';
import type { Filter } from './issue-list.order.ts';
import { getVisibleIssue } from './issue-read.query.ts';

/** How many of the enterprise's and of the category's newest issues are compared. */
export const SIMILAR_ENTERPRISE_READ = 100;
export const SIMILAR_CATEGORY_READ = 300;
/** Shown at most, per group. */
export const SIMILAR_SHOWN = 5;
/** Below these scores an issue is not shown as similar (the same enterprise's count from lower). */
export const SIMILAR_SAME_ENTERPRISE_FROM = 0.15;
/**
 * A cosine. On the demo, other enterprises' complaints of one class score 0.10-0.30 (停电, 退税, 货车限行), the
 * category's unrelated issues under 0.03, and two texts on different problems sharing a phrase (快递发货延误,
 * 限行交货延误) about 0.10, listed last and low where the repeat probability had put it at 0.91.
 */
export const SIMILAR_OTHERS_FROM = 0.1;

/** The text core's similarity (repeat.ts similarities) by measure. */
export type Similarity = (
  text: string,
  candidates: readonly { id: string; text: string }[],
  measure: SimilarityMeasure,
) => number[];

const FIELDS = {
  number: 1,
  title: 1,
  content: 1,
  state: 1,
  category: 1,
  enterpriseId: 1,
  enterpriseName: 1,
  createdAt: 1,
} as const;
type Row = Pick<IssueDoc, '_id' | keyof typeof FIELDS>;

export interface SimilarIssue {
  id: string;
  number: string;
  title: string;
  state: IssueDoc['state'];
  category: IssueDoc['category'];
  enterprise: { id: string; name: string };
  sameEnterprise: boolean;
  /** 0..1 */
  score: number;
  createdAt: Date;
}

function ranked(rows: Row[], scores: number[], from: number, same: boolean): SimilarIssue[] {
  return rows
    .map((r, i) => ({ r, score: scores[i] }))
    .filter((x) => x.score >= from)
    .sort((a, b) => b.score - a.score)
    .slice(0, SIMILAR_SHOWN)
    .map(({ r, score }) => ({
      id: String(r._id),
      number: r.number,
      title: r.title,
      state: r.state,
      category: r.category,
      enterprise: { id: String(r.enterpriseId), name: r.enterpriseName },
      sameEnterprise: same,
      score,
      createdAt: r.createdAt,
    }));
}

export async function similarIssues(
  models: Models,
  actor: Actor,
  id: string,
  similarity: Similarity,
): Promise<SimilarIssue[]> {
  const issue = await getVisibleIssue(models, actor, id);
  // The policy names units by their id strings; mongoose casts them on its own queries, the raw driver
  // compares them as they are and a unit's string never equals a stored ObjectId: cast them here.
  const visible = models.Issue.find().cast(models.Issue, issueVisibilityFilter(actor)) as Filter;
  const issues = models.Issue.collection;
  const enterpriseId = new Types.ObjectId(String(issue.enterpriseId));
  const [mine, others] = await Promise.all([
    issues
      .find<Row>(allOf([{ enterpriseId, _id: { $ne: issue._id } }, visible]), {
        projection: FIELDS,
        sort: { createdAt: -1 },
        limit: SIMILAR_ENTERPRISE_READ,
      })
      .toArray(),
    issues
      .find<Row>(
        allOf([
          {
            category: issue.category,
            state: { $in: [...ISSUE_STATES] },
            enterpriseId: { $ne: enterpriseId },
          },
          visible,
        ]),
        { projection: FIELDS, sort: { createdAt: -1 }, limit: SIMILAR_CATEGORY_READ },
      )
      .toArray(),
  ]);
  const text = issueText(issue);
  const texts = (rows: Row[]) => rows.map((r) => ({ id: String(r._id), text: issueText(r) }));
  return [
    ...ranked(mine, similarity(text, texts(mine), 'repeat'), SIMILAR_SAME_ENTERPRISE_FROM, true),
    ...ranked(others, similarity(text, texts(others), 'words'), SIMILAR_OTHERS_FROM, false),
  ];
}

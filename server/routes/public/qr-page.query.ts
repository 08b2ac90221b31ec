// Reads behind the QR page: the enterprise a printed token names, and that enterprise's issues — open ones
// first (what the owner is waiting on), then the most recent finished ones. Bounded, and on the
// (enterpriseId, createdAt) index, so a scan at city scale stays one cheap indexed read.
import type { IssueState } from '../../../shared/states.ts';
import type { EnterpriseDoc, Models } from '../../models/index.ts';
import type { IssueDoc } from '../../models/issue.model.ts';

/** base64url, as newQrToken makes them; anything else is not worth a database round trip. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,128}$/;
const FINISHED: IssueState[] = ['closed', 'merged', 'rejected'];
export const MAX_OPEN = 100;
export const MAX_FINISHED = 30;

export async function findEnterpriseByToken(models: Models, token: string): Promise<EnterpriseDoc | null> {
  if (!TOKEN_SHAPE.test(token)) return null;
  return models.Enterprise.findOne({ qrToken: token }).lean<EnterpriseDoc>();
}

export async function listEnterpriseIssues(
  models: Models,
  enterpriseId: EnterpriseDoc['_id'],
): Promise<IssueDoc[]> {
  const newest: Record<string, -1> = { createdAt: -1, _id: -1 };
  const [open, finished] = await Promise.all([
    models.Issue.find({ enterpriseId, state: { $nin: FINISHED } })
      .sort(newest)
      .limit(MAX_OPEN)
      .lean<IssueDoc[]>(),
    models.Issue.find({ enterpriseId, state: { $in: FINISHED } })
      .sort(newest)
      .limit(MAX_FINISHED)
      .lean<IssueDoc[]>(),
  ]);
  return [...open, ...finished];
}

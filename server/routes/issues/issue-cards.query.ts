// The desk's cards (GET /api/issues?queue=…&view=cards): the queue's page read with the card's fields only
// (ISSUE_CARD_FIELDS, by the list query), then, for the few cards that say something from the timeline, its
// last steps (shared/issue-card.ts CARD_TIMELINE_TAIL) in one read by `_id`. The list's conditions already
// hold the actor's visibility, so each card is one the actor may read; it is presented as the detail is.
import {
  CARD_TIMELINE_TAIL,
  NO_CARD_FACTS,
  tailFacts,
  type CardTimelineStep,
} from '../../../shared/issue-card.ts';
import type { Models } from '../../models/index.ts';
import { presentIssueCard, type ContactView, type IssueCardDoc } from '../../presenters/issue.presenter.ts';

/**
 * Whether a card shows a fact from the timeline: a returned issue waiting in 待分办 (who returned it, why), a
 * pending request (who asked), a reply with the unit's files beside it.
 */
function needsTimeline(doc: IssueCardDoc): boolean {
  return (
    (doc.state === 'received' && doc.returnCount > 0) ||
    !!doc.pendingApproval ||
    (!!doc.reply && (doc.staffAttachmentCount ?? 0) > 0)
  );
}

export async function presentCards(models: Models, docs: readonly IssueCardDoc[], view: ContactView) {
  const ids = docs.filter(needsTimeline).map((d) => d._id);
  const tails = ids.length
    ? await models.Issue.find(
        { _id: { $in: ids } },
        // `state` makes it an inclusion: a `$slice` alone would return every other field too.
        { state: 1, timeline: { $slice: -CARD_TIMELINE_TAIL } },
      ).lean<{ _id: unknown; timeline?: CardTimelineStep[] }[]>()
    : [];
  const tailOf = new Map(tails.map((t) => [String(t._id), t.timeline ?? []]));
  return docs.map((doc) => {
    const tail = tailOf.get(String(doc._id));
    const facts = tail ? tailFacts(tail, doc.pendingApproval) : NO_CARD_FACTS;
    return presentIssueCard(doc, view, facts);
  });
}

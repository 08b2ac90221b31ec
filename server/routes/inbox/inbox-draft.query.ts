// GET /api/inbox/:id/draft: what 人工登记 opens with. The dead letter read as the staff form's fields
// (intake/dead-letter-draft.ts), and the enterprise they name when the register knows exactly one, matched as
// the channels match (credit code, then the sender's mobile, email or WeChat openid, then the name), so the
// clerk confirms rather than searches.
import { CHANNEL_LABELS } from '../../../shared/states.ts';
import { deadLetterDraft, type DeadLetterDraft } from '../../intake/dead-letter-draft.ts';
import { matchEnterprise } from '../../intake/match-enterprise.ts';
import { MATCH_FILTERS } from '../../intake/intake-enterprise.ts';
import type { EnterpriseDoc, Models } from '../../models/index.ts';
import type { InboxEntryDoc } from '../../models/inbox.model.ts';
import { presentEnterpriseSummary } from '../../presenters/enterprise.presenter.ts';

export interface DraftAnswer {
  draft: DeadLetterDraft;
  enterprise: ReturnType<typeof presentEnterpriseSummary> | null;
}

/** What presentEnterpriseSummary shows, and nothing else of the enterprise. */
const SUMMARY_FIELDS = {
  name: 1,
  creditCode: 1,
  region: 1,
  industry: 1,
  address: 1,
  ownerName: 1,
  mobile: 1,
  provisional: 1,
} as const;

export async function draftOf(models: Models, entry: InboxEntryDoc): Promise<DraftAnswer> {
  const draft = deadLetterDraft(entry);
  const matched = await matchEnterprise<EnterpriseDoc>(
    (step) =>
      models.Enterprise.collection
        .find<EnterpriseDoc>(MATCH_FILTERS[step.by](step.value), { projection: SUMMARY_FIELDS, limit: 2 })
        .toArray(),
    draft.enterprise,
    draft.contact,
    CHANNEL_LABELS[entry.channel],
  );
  return { draft, enterprise: matched.enterprise ? presentEnterpriseSummary(matched.enterprise) : null };
}

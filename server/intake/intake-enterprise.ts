// Which stored enterprise an intake message is about: the register reads behind the matching steps of
// match-enterprise.ts (a credit code shared with the lookups of the same moment, the other keys a few rows
// each), the fields every intake read of an enterprise projects, and registering an unknown one as provisional.
import type { Collection } from 'mongodb';
import { Types } from 'mongoose';
import { batchedFindByUnique } from '../db/batched-ops.ts';
import { CHANNEL_LABELS } from '../../shared/states.ts';
import type { InboundMessage } from '../channels/types.ts';
import type { IntakeEnterprise } from '../commands/issue-create.command.ts';
import type { InboxEntryDoc } from '../models/inbox.model.ts';
import type { Models } from '../models/index.ts';
import { NOTIFIER_ENTERPRISE_FIELDS } from '../notify/notifier.ts';
import { matchEnterprise, type MatchStep, type ProvisionalEnterprise } from './match-enterprise.ts';
import type { IntakeBy } from './pipeline.ts';

/** Enterprises one matching step reads at most: a registered one among a few provisional namesakes. */
const MATCH_READ_LIMIT = 5;

/** The enterprise fields, and the addresses the notifier tells the enterprise at (one read for both). */
export const INTAKE_ENTERPRISE_FIELDS = {
  name: 1,
  creditCode: 1,
  region: 1,
  township: 1,
  // provisional (among the notifier's): a registered enterprise wins over provisional namesakes
  // (match-enterprise.ts).
  ...NOTIFIER_ENTERPRISE_FIELDS,
} as const;

/** The enterprise register's filter for each way of matching an enterprise (also the dead-letter draft's). */
export const MATCH_FILTERS: Record<MatchStep['by'], (v: string) => Record<string, unknown>> = {
  credit_code: (v) => ({ creditCode: v }),
  mobile: (v) => ({ mobile: v }),
  email: (v) => ({ emails: v }),
  openid: (v) => ({ wechatOpenids: v }),
  name: (v) => ({ name: v }),
  name_key: (v) => ({ nameKey: v }),
};

export type Matched =
  { enterprise: IntakeEnterprise } | { enterprise: null; provisional: ProvisionalEnterprise };

export async function matchOf(models: Models, msg: InboundMessage, by: IntakeBy): Promise<Matched> {
  if (by.enterprise) return { enterprise: by.enterprise };
  return matchEnterprise<IntakeEnterprise>(
    (step) =>
      // A credit code names one enterprise (unique index): shared with the lookups of the same moment.
      step.by === 'credit_code'
        ? batchedFindByUnique(
            models.Enterprise.collection as unknown as Collection,
            'creditCode',
            step.value,
            INTAKE_ENTERPRISE_FIELDS,
          ).then((found) => (found ? [found as IntakeEnterprise] : []))
        : models.Enterprise.collection
            .find<IntakeEnterprise>(MATCH_FILTERS[step.by](step.value), {
              projection: INTAKE_ENTERPRISE_FIELDS,
              limit: MATCH_READ_LIMIT,
            })
            .toArray(),
    msg.enterprise,
    msg.contact,
    CHANNEL_LABELS[msg.channel],
  );
}

/**
 * Registers the unknown enterprise (flagged provisional); a concurrent twin with the same code, or with the
 * same sender's address when no code was given, wins. An address is known to one enterprise only: one whose
 * message named an unknown code from another enterprise's address is registered without it.
 */
export async function provisionalOf(models: Models, p: ProvisionalEnterprise): Promise<IntakeEnterprise> {
  try {
    const created = await models.Enterprise.create(p);
    return {
      _id: created._id,
      name: created.name,
      creditCode: created.creditCode ?? '',
      region: created.region,
    };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code !== 11000) throw err;
    const twin = p.creditCode ? { creditCode: p.creditCode } : p.email ? { emails: p.email } : null;
    const found =
      twin &&
      (await models.Enterprise.collection.findOne<IntakeEnterprise>(twin, {
        projection: INTAKE_ENTERPRISE_FIELDS,
      }));
    if (found) return found;
    if (p.creditCode && p.email) {
      const { email: _email, emails: _emails, ...withoutEmail } = p;
      return provisionalOf(models, withoutEmail);
    }
    throw err;
  }
}

/** Staff and owners name their enterprise; the inbox keeps its id in the message hint. */
export async function enterpriseOfEntry(
  models: Models,
  entry: InboxEntryDoc,
): Promise<IntakeEnterprise | null> {
  const id = entry.message?.enterprise && (entry.message.enterprise as { id?: string }).id;
  if (!id || entry.origin.kind === 'channel') return null;
  if (!Types.ObjectId.isValid(id)) return null;
  return models.Enterprise.collection.findOne<IntakeEnterprise>(
    { _id: new Types.ObjectId(id) },
    { projection: INTAKE_ENTERPRISE_FIELDS },
  );
}

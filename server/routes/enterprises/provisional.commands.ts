// The centre's review of provisional enterprises (created by intake for messages from enterprises the register
// does not know): confirm one as a proper register entry (after completing what it lacks), or merge it into the
// known enterprise it really is, moving its issues (their enterprise fields and a timeline note) and binding
// the sender identities it collected (email addresses, WeChat openids) to that enterprise, so the sender's next
// message matches it.
import { Types } from 'mongoose';
import type { DomainActor } from '../../../shared/lifecycle/issue-core.ts';
import { isPlaceholderName } from '../../../shared/enterprise-name.ts';
import { AppError, notFound } from '../../errors.ts';
import type { EnterpriseDoc, Models } from '../../models/index.ts';
import { newQrToken, type SenderAcceptance } from '../../models/enterprise.model.ts';
import { isDuplicateKey } from '../../db/duplicate-key.ts';
import { searchTermsOf } from '../../text/search-terms.ts';
import { emailTaken, isEmailTaken } from './enterprise.commands.ts';

export interface ConfirmInput {
  creditCode?: string;
  name?: string;
  region?: string;
  /** The registered mobile, as staff checked it: the number a message came from is nobody's to register. */
  mobile?: string;
  /** The registered email. */
  email?: string;
  /** Staff checked that the senders are the enterprise's own (acceptSenders in MergeOptions). */
  acceptSenders?: boolean;
}

const notProvisional = () => new AppError('not_provisional', 409, '该企业已是正式登记企业');
const mergeInProgress = () =>
  new AppError('merge_in_progress', 409, '该企业的合并尚未完成，请再次合并到同一家企业');

async function loadProvisional(models: Models, id: string): Promise<EnterpriseDoc> {
  const e = await models.Enterprise.findById(id).select('+mergedQrTokens').lean();
  if (!e) throw notFound('企业不存在');
  if (!e.provisional) throw notProvisional();
  return e;
}

/**
 * The issues' copy of the enterprise follows the enterprise (updatedAt too: the KPI rollups re-read them), with
 * a timeline event written in the same update, so an issue never moves without its note nor gets it twice. The
 * township goes with the county, as intake copies both: the desk's suggestion and 重新分类 route by the issue's.
 */
async function copyToIssues(
  models: Models,
  from: Types.ObjectId,
  to: EnterpriseDoc,
  now: Date,
  event?: { state: string; entry: object },
) {
  await models.Issue.collection.updateMany({ enterpriseId: from, ...(event ? { state: event.state } : {}) }, {
    $set: {
      updatedAt: now,
      enterpriseId: to._id,
      enterpriseName: to.name,
      enterpriseCreditCode: to.creditCode ?? '',
      region: to.region,
      ...(to.township ? { township: to.township } : {}),
    },
    ...(to.township ? {} : { $unset: { township: 1 } }),
    // The new name's terms join the old ones: a term too many costs the search a read, never a wrong answer.
    $addToSet: { searchTerms: { $each: searchTermsOf(to.name) } },
    ...(event ? { $push: { timeline: event.entry } } : {}),
  } as never);
}

/**
 * What registering a provisional enterprise (the centre's confirm, the register's import) changes besides its
 * data: it is no longer provisional, and whatever a writer could hold of it ends, since its code and addresses
 * were whoever named it first (a code in a receipt, an owner session, a notification choice, a PIN): a new
 * code, every owner session ended, SMS to the registered mobile until the owner chooses again.
 */
export function registration(now: Date) {
  return {
    $set: { qrToken: newQrToken(), qrIssuedAt: now },
    $unset: { provisional: 1, provisionalNote: 1, notify: 1, pinHash: 1 },
    $inc: { ownerSessionVersion: 1 },
  } as const;
}

/** Who confirms or merges: staff, or the WeChat channel itself (its display name goes on what it accepts). */
type Merger = Pick<DomainActor, 'id' | 'role' | 'username'> & { name?: string };

/**
 * Where the senders' addresses a confirm or merge accepts came from (EnterpriseDoc.senderAcceptances), so the
 * enterprise's 已核实的来信人 can say who accepted each, when and with which provisional enterprise.
 */
function acceptancesOf(
  from: Pick<EnterpriseDoc, 'name' | 'wechatOpenids'>,
  emails: readonly string[],
  how: SenderAcceptance['how'],
  by: Pick<Merger, 'name' | 'username'>,
  at: Date,
): SenderAcceptance[] {
  const entry = { at, by: by.name ?? by.username, how, from: from.name };
  return [
    ...emails.map((address) => ({ channel: 'email' as const, address, ...entry })),
    ...(from.wechatOpenids ?? []).map((address) => ({ channel: 'wechat' as const, address, ...entry })),
  ];
}

export async function confirmProvisionalCommand(
  models: Models,
  id: string,
  input: ConfirmInput,
  now: Date,
  by: Pick<Merger, 'name' | 'username'> = { username: '' },
): Promise<EnterpriseDoc> {
  const e = await loadProvisional(models, id);
  if (e.mergingInto) throw mergeInProgress();
  const next = { ...e, ...input };
  // Names only what is still missing. The mobile is always staff's: the number a message came from is
  // whoever wrote first, and the registered mobile verifies the enterprise's owner on its QR page.
  const missing = [
    !next.creditCode && '统一社会信用代码',
    !input.mobile && '经核实的企业登记手机号',
    next.region === 'city' && '所在区县',
  ].filter((x): x is string => !!x);
  if (missing.length) throw new AppError('incomplete', 400, `确认前请补全${missing.join('、')}`);
  // Registered under 待确认企业（139****1111）, the enterprise would carry its writer's number as its name onto
  // its plaque, the QR page and every list; staff name it from what the writers sent (the queue shows it).
  if (isPlaceholderName(next.name))
    throw new AppError(
      'placeholder_name',
      400,
      '请填写企业名称：「待确认企业（…）」是来件时的临时名称，不能作为登记名称',
    );
  const { email, acceptSenders, ...fields } = input;
  const registered = registration(now);
  // The senders' addresses stay the enterprise's only when staff checked they are its own (MergeOptions).
  // The writer's email was also put in `email`, and the name they gave in `ownerName`.
  const senders = acceptSenders
    ? {}
    : { wechatOpenids: 1, ownerName: 1, ...(email ? {} : { email: 1, emails: 1 }) };
  const accepted = acceptSenders
    ? {
        senderAcceptances: acceptancesOf(
          e,
          (e.emails ?? []).filter((a) => a !== email),
          'confirm',
          by,
          now,
        ),
      }
    : {};
  try {
    const updated = await models.Enterprise.findOneAndUpdate(
      { _id: e._id, provisional: true, mergingInto: { $exists: false } },
      {
        ...registered,
        $set: {
          ...fields,
          ...(email ? { email } : {}),
          ...(email && !acceptSenders ? { emails: [email] } : {}),
          ...accepted,
          ...registered.$set,
        },
        $unset: { ...registered.$unset, ...senders },
        ...(email && acceptSenders ? { $addToSet: { emails: email } } : {}),
      },
      { returnDocument: 'after', runValidators: true },
    ).lean();
    if (!updated) {
      // A merge that began since the read: it goes on into its enterprise, and this confirm gives way.
      const current = await models.Enterprise.findById(e._id, { mergingInto: 1 }).lean();
      if (current?.mergingInto) throw mergeInProgress();
      throw notProvisional();
    }
    await copyToIssues(models, e._id, updated, now);
    return updated;
  } catch (err) {
    if (isEmailTaken(err)) throw emailTaken();
    if (isDuplicateKey(err))
      throw new AppError('duplicate', 409, '该统一社会信用代码的企业已存在，请改为合并');
    throw err;
  }
}

export interface MergeOptions {
  /** The timeline note (default: the centre's 来件企业「…」经核实为「…」，已归并). */
  note?: string;
  /**
   * Whether the provisional enterprise's senders (its email addresses and WeChat followers) become the
   * enterprise's own addresses: their mail and messages then match it, and they get the QR link and, chosen by
   * the owner, its notices. Only when staff checked that they are the enterprise's people (the merge dialog's
   * 来信人已核实 box); a follower that merely sent a credit code (anyone can) never is.
   */
  acceptSenders?: boolean;
}

/**
 * Merges a provisional enterprise into a known one: staff who checked it, or the channel itself when the sender
 * names the enterprise it writes for (a WeChat follower binding its credit code), with `note` saying so.
 *
 * Several writes, each safe to repeat, in an order that lets a merge cut short (a crash) be finished by asking
 * again: the provisional record first says where it goes and parks its sender addresses; then each issue moves
 * with its note; then the enterprise merged into takes the senders; the provisional record goes last. Asked
 * again, a half-merged enterprise finishes into the enterprise it started into, and into no other.
 */
export async function mergeProvisionalCommand(
  models: Models,
  actor: Merger,
  id: string,
  intoId: string,
  now: Date,
  opts: MergeOptions = {},
): Promise<EnterpriseDoc> {
  const { note, acceptSenders = false } = opts;
  if (id === intoId) throw new AppError('invalid_merge', 400, '不能合并到自身');
  const from = await loadProvisional(models, id);
  const into = Types.ObjectId.isValid(intoId) ? await models.Enterprise.findById(intoId).lean() : null;
  if (!into) throw new AppError('merge_target_not_found', 404, '要并入的企业不存在');
  if (from.mergingInto && !from.mergingInto.equals(into._id))
    throw new AppError('merge_in_progress', 409, '该企业正在并入另一家企业，请选择同一家企业完成合并');
  // 1. Where it goes, and its addresses parked: a registered address is one enterprise's at a time.
  const parked = [...(from.mergingEmails ?? []), ...(from.emails ?? [])];
  // A confirm that landed since the read: the enterprise is registered, and nothing moves.
  const started = await models.Enterprise.collection.updateOne(
    { _id: from._id, provisional: true },
    {
      $set: { mergingInto: into._id, ...(parked.length ? { mergingEmails: parked } : {}) },
      $unset: { emails: 1 },
    },
  );
  if (started.matchedCount === 0) throw notProvisional();
  // 2. The issues, each with its note. Timeline events carry the issue's state, which a note made from the
  // enterprise side cannot know for each one, so each state's issues move in one update of their own.
  const event = {
    at: now,
    actorId: actor.id,
    actorRole: actor.role,
    actorName: actor.name ?? actor.username,
    action: 'note',
    note: note ?? `来件企业「${from.name}」经核实为「${into.name}」，已归并`,
    public: false,
    data: { kind: 'enterprise_merged', from: String(from._id), into: String(into._id) },
  };
  const states = (await models.Issue.collection.distinct('state', { enterpriseId: from._id })) as string[];
  for (const state of states)
    await copyToIssues(models, from._id, into, now, {
      state,
      entry: { ...event, fromState: state, toState: state },
    });
  // 3. The senders: the merged-into enterprise now matches them. Its printed code, sent to the writer with
  // the receipt, is kept so its page can say the issues moved (not that the code is unknown).
  const bind: Record<string, unknown> = {
    mergedQrTokens: { $each: [from.qrToken, ...(from.mergedQrTokens ?? [])] },
  };
  if (acceptSenders && from.wechatOpenids?.length) bind.wechatOpenids = { $each: from.wechatOpenids };
  if (acceptSenders && parked.length) bind.emails = { $each: parked };
  const accepted = acceptSenders ? acceptancesOf(from, parked, 'merge', actor, now) : [];
  await models.Enterprise.updateOne(
    { _id: into._id },
    {
      $addToSet: bind,
      ...(accepted.length ? { $push: { senderAcceptances: { $each: accepted } } } : {}),
    },
  );
  // 4. Nothing is left on the provisional record.
  await models.Enterprise.deleteOne({ _id: from._id, provisional: true });
  return (await models.Enterprise.findById(into._id).lean()) as EnterpriseDoc;
}

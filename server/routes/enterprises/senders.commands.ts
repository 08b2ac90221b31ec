// An enterprise's accepted senders (已核实的来信人): the mail addresses and WeChat followers the centre accepted as
// the enterprise's own when it confirmed or merged a provisional enterprise. Each gets the QR page's link and,
// when the owner chose that channel, the owner's notices, and its messages match the enterprise at intake; so
// the centre sees them, and takes one back (a wrong acceptance, a person who has left, a follower accepted
// without a real check before acceptSenders existed) with a reason the audit log keeps. The registered email is the
// register's own, corrected on the enterprise form, and is not one of them.
import type { Document } from 'mongodb';
import { AppError, notFound } from '../../errors.ts';
import type { SenderAcceptance, SenderChannel } from '../../models/enterprise.model.ts';
import type { EnterpriseDoc, Models } from '../../models/index.ts';

export interface AcceptedSender {
  channel: SenderChannel;
  address: string;
  /** How it was accepted, when the enterprise recorded it (acceptances before it was kept have none). */
  acceptance: Pick<SenderAcceptance, 'at' | 'by' | 'how' | 'from'> | null;
}

type SendersOf = Pick<EnterpriseDoc, 'email' | 'emails' | 'wechatOpenids' | 'senderAcceptances'>;

/** The accepted senders, mail first, each with its latest recorded acceptance. */
export function acceptedSendersOf(e: SendersOf): AcceptedSender[] {
  const acceptance = (channel: SenderChannel, address: string) => {
    const found = (e.senderAcceptances ?? []).filter((a) => a.channel === channel && a.address === address);
    const latest = found.at(-1);
    return latest ? { at: latest.at, by: latest.by, how: latest.how, from: latest.from } : null;
  };
  const emails = (e.emails ?? []).filter((a) => a !== e.email);
  return [
    ...emails.map((address) => ({
      channel: 'email' as const,
      address,
      acceptance: acceptance('email', address),
    })),
    ...(e.wechatOpenids ?? []).map((address) => ({
      channel: 'wechat' as const,
      address,
      acceptance: acceptance('wechat', address),
    })),
  ];
}

/** The enterprise as the senders' list and its removal read it (its acceptances are not selected by default). */
export async function loadSenders(models: Models, id: string) {
  const e = await models.Enterprise.findById(id, {
    name: 1,
    email: 1,
    emails: 1,
    wechatOpenids: 1,
    provisional: 1,
    notify: 1,
    creditCode: 1,
    senderAcceptances: 1,
  }).lean();
  if (!e) throw notFound('企业不存在');
  return e;
}

export interface RemoveSenderInput {
  channel: SenderChannel;
  address: string;
  reason: string;
}

const notASender = () =>
  new AppError('sender_not_found', 404, '该地址不是本企业已核实的来信人（可能已被移除），请刷新后重试');

/**
 * Takes one accepted sender back: the address leaves the list intake matches on and the notifier treats as the
 * enterprise's own, with its recorded acceptance. An owner's notice choice that names the mail address ends
 * (SMS to the registered mobile until the owner chooses again), as a new owner credential ends it. A follower's
 * binding to the enterprise (it once sent the credit code) goes too, so its next message is filed as a
 * stranger's: for a provisional enterprise, asking for the code. The reason is the audit log's (the request
 * body).
 */
export async function removeSenderCommand(models: Models, id: string, input: RemoveSenderInput) {
  const e = await loadSenders(models, id);
  if (e.provisional)
    throw new AppError('provisional', 409, '待确认企业的来信人尚未核实，请在「待确认企业」中确认或合并');
  const address = input.channel === 'email' ? input.address.trim().toLowerCase() : input.address.trim();
  if (input.channel === 'email' && address === e.email)
    throw new AppError('registered_email', 409, '这是企业的登记邮箱，请在「编辑企业」中修改或清空');
  const list = input.channel === 'email' ? 'emails' : 'wechatOpenids';
  const endsChoice = input.channel === 'email' && e.notify?.channel === 'email' && e.notify.email === address;
  const { modifiedCount } = await models.Enterprise.collection.updateOne({ _id: e._id, [list]: address }, {
    $pull: { [list]: address, senderAcceptances: { channel: input.channel, address } },
    ...(endsChoice ? { $unset: { notify: 1 } } : {}),
  } as Document);
  if (modifiedCount === 0) throw notASender();
  // An emptied list is removed (the index on `emails` is unique: every empty array would be the same key).
  await models.Enterprise.collection.updateOne(
    { _id: e._id, [list]: { $size: 0 } },
    { $unset: { [list]: 1 } },
  );
  if (input.channel === 'wechat')
    await models.WechatBinding.collection.deleteMany({
      openid: address,
      $or: [{ enterpriseId: e._id }, ...(e.creditCode ? [{ creditCode: e.creditCode }] : [])],
    });
  return loadSenders(models, id);
}

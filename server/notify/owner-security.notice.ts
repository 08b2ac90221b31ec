// Security notices to an enterprise's owner, by SMS. The owner hears when someone has locked the enterprise's
// PIN by guessing, and that the SMS code still works, so the lock-out of one path never goes unnoticed (sent at
// once, to the registered mobile); the previous mobile hears when staff register a new one, which hands the
// QR page's owner view to whoever holds it; and the registered mobile hears when the owner's notification
// choice sends notices elsewhere (both queued in the outbox, delivered and retried like every notice).
import type { Logger } from '../logger.ts';
import { maskEmail, maskMobile } from '../presenters/enterprise-public.presenter.ts';
import type { OutboxDraft } from './outbox-drafts.ts';
import type { SmsSender } from './sms.ts';

export interface OwnerNoticeDeps {
  sms: SmsSender;
  logger: Pick<Logger, 'warn'>;
}

/** Tells the owner the PIN is locked after repeated wrong entries. Never throws: the lock already holds. */
export async function notifyOwnerPinLocked(
  deps: OwnerNoticeDeps,
  enterprise: { _id: unknown; mobile: string },
): Promise<void> {
  deps.logger.warn(
    { enterpriseId: String(enterprise._id), to: maskMobile(enterprise.mobile) },
    'qr page: enterprise PIN locked after repeated wrong entries; owner notified',
  );
  try {
    await deps.sms.send(
      enterprise.mobile,
      '【企业码】您企业码的 PIN 因多次输入错误已被锁定。您仍可用短信验证码验证身份；如需恢复 PIN，请到服务窗口重新设置。如非本人操作，请留意企业码是否外泄。',
    );
  } catch (err) {
    deps.logger.warn({ err }, 'qr page: the PIN lock notice could not be sent');
  }
}

/**
 * The notice to the mobile an enterprise was registered with, after staff changed it (the form or an import)
 * at `at`.
 */
export function mobileChangedNotice(
  enterprise: { _id: unknown },
  before: string,
  after: string,
  at: Date,
): OutboxDraft {
  const id = String(enterprise._id);
  return {
    key: `owner-mobile:${id}:${at.getTime()}`,
    event: 'owner_mobile_changed',
    channel: 'sms',
    recipient: { kind: 'enterprise', id, name: '企业负责人（原登记手机号）', address: before },
    title: '登记手机号变更',
    text: `【企业码】您企业在企业服务中心登记的手机号已变更为${maskMobile(after)}，企业码的短信验证将发往新号码，本机号码的验证已失效。如非本企业申请，请立即联系企业服务中心。`,
  };
}

const CHOICE_LABELS = { sms: '短信', email: '电子邮件', wechat: '微信' } as const;

/**
 * The notice to the registered mobile after the owner's notification choice changed on the QR page: a choice
 * sends the enterprise's notices, with the code's link, elsewhere than this mobile, so its holder hears of it
 * (someone else with an owner session could have made it).
 */
export function preferenceChangedNotice(
  enterprise: { _id: unknown; mobile: string },
  choice: { channel: keyof typeof CHOICE_LABELS; email?: string | null },
  at: Date,
): OutboxDraft {
  const id = String(enterprise._id);
  const where =
    choice.channel === 'email' && choice.email
      ? `${CHOICE_LABELS.email}（${maskEmail(choice.email)}）`
      : CHOICE_LABELS[choice.channel];
  return {
    key: `owner-preference:${id}:${at.getTime()}`,
    event: 'owner_preference_changed',
    channel: 'sms',
    recipient: { kind: 'enterprise', id, name: '企业负责人（登记手机号）', address: enterprise.mobile },
    title: '通知方式变更',
    text: `【企业码】您企业在企业码页面将办理进度的通知方式改为${where}。如非本企业负责人操作，请立即联系企业服务中心更换企业码。`,
  };
}

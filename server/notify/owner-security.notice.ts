// Security notices to an enterprise's owner, by SMS to the registered mobile (the pluggable sender: a gateway
// in production, the log in development). The owner hears when someone has locked the enterprise's PIN by
// guessing, and that the SMS code still works, so the lock-out of one path never goes unnoticed.
import type { Logger } from '../logger.ts';
import { maskMobile } from '../presenters/enterprise-public.presenter.ts';
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

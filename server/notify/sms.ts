// Outbound SMS, behind a one-method interface so a deployment plugs in its gateway (阿里云短信, 腾讯云短信, a
// government SMS platform…) without touching the pages that send codes. The default only logs: it is for
// development and demos, where there is no gateway and the developer reads the code from the server log.
import type { Logger } from '../logger.ts';
import { maskMobile } from '../presenters/enterprise-public.presenter.ts';

export interface SmsSender {
  /** Delivers `text` to a mainland mobile number; rejects when the gateway refuses. */
  send(mobile: string, text: string): Promise<void>;
}

/** Development default: writes the message (code included) to the server log, never to any page. */
export function createLogSmsSender(logger: Logger): SmsSender {
  return {
    async send(mobile, text) {
      logger.info({ to: maskMobile(mobile), text }, 'sms (dev sender: not delivered, logged only)');
    },
  };
}

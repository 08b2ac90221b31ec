// QR-page verification codes go straight through the SMS provider (the owner is waiting; a failure must show at
// once), and each send is recorded in the outbox as `verification_code`, sent or dead. The recorded text keeps
// the code only in demo mode (GET /api/dev/outbox shows it to a new user); otherwise its digits are masked,
// so neither the log nor the outbox holds a live code.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../shared/clock.ts';
import type { Notifier } from './notifier.ts';
import { redactSecrets, type SmsSender } from './sms.ts';

export function recordingSmsSender(
  sms: SmsSender,
  notifier: Pick<Notifier, 'enqueue'>,
  opts: { clock: Clock; demo: boolean },
): SmsSender {
  return {
    async send(mobile, text) {
      const shown = opts.demo ? text : redactSecrets(text);
      const record = (status: 'sent' | 'dead', lastError: string | null) =>
        notifier
          .enqueue([
            {
              // Unique per send; the mobile stays out of it (the outbox list shows keys to admins, masked
              // addresses and all).
              key: `code:${randomUUID()}`,
              event: 'verification_code',
              channel: 'sms',
              recipient: { kind: 'enterprise', id: 'owner', name: '企业负责人', address: mobile },
              title: '验证码',
              text: shown,
              status,
              lastError,
              ...(status === 'sent' ? { sentAt: opts.clock.now() } : {}),
            },
          ])
          .catch(() => 0);
      try {
        const id = await sms.send(mobile, text);
        await record('sent', null);
        return id;
      } catch (err) {
        await record('dead', err instanceof Error ? err.message.slice(0, 200) : 'failed');
        throw err;
      }
    },
  };
}

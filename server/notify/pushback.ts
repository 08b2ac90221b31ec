// Push-back to the channel an issue came from (issue 8): the 12345 hotline's work-order callback, the WeChat
// customer-service message, the SMS reply. Each is a PushbackSender for its channel id; the outbox's
// `pushback` entries name the channel and the external id the channel knows the message by. Built here: the
// hotline callback (a signed HTTP POST). The WeChat and SMS-reply senders belong to the intake hub's channel
// adapters and plug in through `PushbackSenders` (see the README); until then their entries are not written.
import { createHmac } from 'node:crypto';
import type { ChannelId } from '../../shared/states.ts';

export interface PushbackMessage {
  /** The channel's own id of the original message (the hotline's orderId). */
  externalId: string;
  issueNumber: string;
  event: string;
  text: string;
  at: Date;
}

export interface PushbackSender {
  send(message: PushbackMessage): Promise<string | void>;
}

export type PushbackSenders = Partial<Record<ChannelId, PushbackSender>>;

/** Same scheme as the hotline's own webhooks: hex HMAC-SHA256 of `timestamp + "." + rawBody`. */
export function signHotlineCallback(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export interface HotlineCallbackOptions {
  url: string;
  secret: string;
  fetch?: typeof fetch;
  nowSeconds?: () => number;
  timeoutMs?: number;
}

/** POSTs `{orderId, number, event, text, at}` with X-Timestamp and X-Signature; non-2xx rejects (retried). */
export function createHotlineCallbackSender(opts: HotlineCallbackOptions): PushbackSender {
  const doFetch = opts.fetch ?? fetch;
  const nowSeconds = opts.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  return {
    async send(m) {
      const body = JSON.stringify({
        orderId: m.externalId,
        number: m.issueNumber,
        event: m.event,
        text: m.text,
        at: m.at.toISOString(),
      });
      const timestamp = String(nowSeconds());
      const res = await doFetch(opts.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-timestamp': timestamp,
          'x-signature': signHotlineCallback(opts.secret, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
      if (!res.ok) throw new Error(`hotline callback answered ${res.status}`);
    },
  };
}

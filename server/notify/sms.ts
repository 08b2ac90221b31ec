// Outbound SMS behind a one-method interface, so a deployment plugs in its gateway (阿里云短信, 腾讯云短信, a
// government SMS platform…) without touching what sends. Two implementations: the HTTP gateway (a signed JSON
// POST to a configured URL, the usual shape of Chinese SMS platforms) and the log provider for development.
// Outside demo mode the log provider masks every digit run, so no verification code reaches the log, and the
// QR page's address (its token is the enterprise's bearer credential, as the request log knows).
import { createHmac, randomUUID } from 'node:crypto';
import type { Logger } from '../logger.ts';
import { maskMobile } from '../presenters/enterprise-public.presenter.ts';

export interface SmsSender {
  /** Delivers `text` to a mainland mobile number; rejects when the gateway refuses. Resolves to its id. */
  send(mobile: string, text: string): Promise<string | void>;
}

/** Digit runs of four or more (codes, PINs) and QR page tokens masked, for logs outside demo mode. */
export function redactSecrets(text: string): string {
  return text.replace(/\/e\/[\w-]+/g, '/e/[redacted]').replace(/\d{4,}/g, (m) => '*'.repeat(m.length));
}

/**
 * Development provider: writes the message to the server log instead of delivering it. In demo mode the text
 * is logged as it is (the demo user reads the code there or at /api/dev/outbox); otherwise digits are masked.
 */
export function createLogSmsSender(logger: Pick<Logger, 'info'>, opts: { demo?: boolean } = {}): SmsSender {
  return {
    async send(mobile, text) {
      const shown = opts.demo ? text : redactSecrets(text);
      logger.info({ to: maskMobile(mobile), text: shown }, 'sms (log provider: not delivered, logged only)');
    },
  };
}

export interface HttpSmsOptions {
  url: string;
  key: string;
  secret: string;
  signName: string;
  /** Injected for tests; the global fetch by default. */
  fetch?: typeof fetch;
  /** Real-time seconds for the signature (never the business clock: the gateway checks its own). */
  nowSeconds?: () => number;
  timeoutMs?: number;
}

/** The signature the gateway checks: hex HMAC-SHA256 of `timestamp\nnonce\nbody` with the shared secret. */
export function signGatewayRequest(secret: string, timestamp: string, nonce: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${nonce}\n${body}`).digest('hex');
}

/**
 * The HTTP gateway: POST {to, sign, text, requestId} as JSON with X-Api-Key, X-Timestamp, X-Nonce and
 * X-Signature headers. A non-2xx answer or `{ok:false}` rejects (the outbox retries later); the gateway's
 * `messageId` is kept on the outbox row.
 */
export function createHttpSmsSender(opts: HttpSmsOptions): SmsSender {
  const doFetch = opts.fetch ?? fetch;
  const nowSeconds = opts.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  return {
    async send(mobile, text) {
      const requestId = randomUUID();
      const body = JSON.stringify({ to: mobile, sign: opts.signName, text, requestId });
      const timestamp = String(nowSeconds());
      const nonce = randomUUID();
      const res = await doFetch(opts.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-api-key': opts.key,
          'x-timestamp': timestamp,
          'x-nonce': nonce,
          'x-signature': signGatewayRequest(opts.secret, timestamp, nonce, body),
        },
        body,
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
      const answer = (await res.json().catch(() => ({}))) as {
        ok?: boolean;
        messageId?: string;
        error?: string;
      };
      if (!res.ok || answer.ok === false) {
        throw new Error(`sms gateway answered ${res.status}${answer.error ? `: ${answer.error}` : ''}`);
      }
      return answer.messageId ?? requestId;
    },
  };
}

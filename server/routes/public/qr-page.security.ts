// HTTP hardening for the QR page: a CSP that allows inline only the layout's own stylesheet and live-update
// script (by their hashes), no caching anywhere (the pages are per enterprise and may be personalised), no
// indexing, and the rate limits on verification, counted in the database (every process shares them). They
// fall on strangers, never on the owner: a browser that has verified as the owner before
// (qr-known-browser.ts) is counted on its own, per browser; every other browser is counted per client address
// and, for code sends (each one an SMS to the owner's mobile, paid for), per enterprise per hour and per day
// (qr-send-quota.ts); failed PIN entries per token and per address. The SMS code check has no such limit: a
// code only works in the browser that asked for it and dies after five tries, so the sends bound the guesses,
// and nothing a guesser does can make the owner's correct code fail.
import type { Request, RequestHandler, Response } from 'express';
import { clientKey, type RateLimits } from '../../rate-limit/limiters.ts';
import { pagePath } from './qr-session.ts';
import { INLINE_HASHES, tooManyPage } from './layout.view.ts';

export const HOUR_MS = 3600_000;
export const DAY_MS = 24 * HOUR_MS;

export interface QrPageLimits {
  windowMs: number;
  /**
   * Code sends to an enterprise's mobile from browsers not known as its owner's: per enterprise per hour and
   * per day (at the daily cap the centre is told, once), and per IP within the window.
   */
  sendPerEnterpriseHour: number;
  sendPerEnterpriseDay: number;
  sendPerIp: number;
  /** Code sends per known owner browser per day (it is exempt from the three above). */
  sendPerKnownBrowserDay: number;
  /** Failed PIN entries per printed token / per IP within the window (the PIN path only). */
  verifyPerToken: number;
  verifyPerIp: number;
  /** Failed PIN entries per known owner browser per day (exempt from the two above and from the PIN lock). */
  verifyPerKnownBrowserDay: number;
  /** Issues an owner may submit per enterprise within the window. */
  submitPerEnterprise: number;
}

export const DEFAULT_QR_LIMITS: QrPageLimits = Object.freeze({
  windowMs: 15 * 60_000,
  sendPerEnterpriseHour: 3,
  sendPerEnterpriseDay: 6,
  sendPerIp: 5,
  sendPerKnownBrowserDay: 10,
  verifyPerToken: 10,
  verifyPerIp: 30,
  verifyPerKnownBrowserDay: 10,
  submitPerEnterprise: 10,
});

/**
 * The QR pages' policy: nothing from elsewhere, and inline only the layout's stylesheet and live-update script
 * (by hash: both are constants), whose event stream comes back to this server. One string for every response.
 */
const PAGE_CSP = [
  "default-src 'none'",
  `style-src ${INLINE_HASHES.style}`,
  `script-src ${INLINE_HASHES.script}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join(';');

/** The page's own values of four of the app-wide security headers, and one the app does not send. */
const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': PAGE_CSP,
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Robots-Tag': 'noindex, nofollow',
};

/**
 * Every header a page carries, set in one pass: the app-wide security headers (`appWide`, helmet, recorded once
 * from a stand-in response: they never depend on the request) with the page's own in place of four of them.
 * The QR router is mounted ahead of helmet, so a scan runs none of helmet's eleven middlewares and sets no
 * header twice.
 */
export function pageHeaders(appWide: RequestHandler): (res: Response) => void {
  const headers = new Map<string, [string, string]>();
  const record = (name: string, value: unknown) => headers.set(name.toLowerCase(), [name, String(value)]);
  const stand = { setHeader: record, removeHeader: () => undefined } as unknown as Response;
  let done = false;
  void appWide({} as Request, stand, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error(String(err));
    done = true;
  });
  if (!done) throw new Error('pageHeaders: the app-wide headers did not come in one synchronous pass');
  for (const [name, value] of Object.entries(PAGE_HEADERS)) record(name, value);
  const all = [...headers.values()];
  return (res) => {
    for (const [name, value] of all) res.setHeader(name, value);
  };
}

const tokenOf = (req: Request) => String(req.params.token ?? '');

/**
 * Sending a code costs an SMS: every request from a stranger counts per address (the per-enterprise caps are
 * qr-send-quota.ts). A PIN entry counts when it fails (a 4xx answer): a stranger's per token and per address,
 * a known browser's per browser per day. `knownBrowser` is the verified owner's browser id (or undefined),
 * which the route reads before these run.
 */
export function verificationLimits(
  rateLimits: RateLimits,
  limits: QrPageLimits,
  knownBrowser: (res: Response) => string | undefined,
) {
  const limiter = (
    name: string,
    limit: number,
    key: (r: Request, res: Response) => string,
    o: { onlyFailures: boolean; windowMs?: number; skip: (res: Response) => boolean },
  ) => {
    const windowMs = o.windowMs ?? limits.windowMs;
    return rateLimits.limiter({
      name,
      windowMs,
      limit,
      onlyFailures: o.onlyFailures,
      key,
      skip: (_req, res) => o.skip(res),
      handler: (req, res) => {
        res.status(429).set('Retry-After', String(Math.ceil(windowMs / 1000)));
        res.type('html').send(tooManyPage(`${pagePath(tokenOf(req))}/verify`));
      },
    });
  };
  const known = (res: Response) => knownBrowser(res) !== undefined;
  const stranger = (res: Response) => !known(res);
  return {
    send: [limiter('qr-send-ip', limits.sendPerIp, clientKey, { onlyFailures: false, skip: known })],
    pin: [
      limiter('qr-pin-token', limits.verifyPerToken, tokenOf, { onlyFailures: true, skip: known }),
      limiter('qr-pin-ip', limits.verifyPerIp, clientKey, { onlyFailures: true, skip: known }),
      limiter('qr-pin-known', limits.verifyPerKnownBrowserDay, (_req, res) => knownBrowser(res) ?? '', {
        onlyFailures: true,
        windowMs: DAY_MS,
        skip: stranger,
      }),
    ],
  };
}

// HTTP hardening for the QR page: a per-response CSP nonce for the one inline stylesheet (no scripts at all),
// no caching anywhere (the pages are per enterprise and may be personalised), no indexing, and the rate
// limits on verification, counted in the database (every process shares them). They fall on the guesser:
// code sends per printed token and per client address; failed PIN entries per token and per address. The
// SMS code check has no such limit: a code only works in the browser that asked for it and dies after five
// tries, so the sends bound the guesses, and nothing a guesser does can make the owner's correct code fail.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { clientKey, type RateLimits } from '../../rate-limit/limiters.ts';
import { pagePath } from './qr-session.ts';
import { tooManyPage } from './layout.view.ts';

export interface QrPageLimits {
  windowMs: number;
  /** Code sends per printed token / per IP within the window. */
  sendPerToken: number;
  sendPerIp: number;
  /** Failed PIN entries per printed token / per IP within the window (the PIN path only). */
  verifyPerToken: number;
  verifyPerIp: number;
  /** Issues an owner may submit per enterprise within the window. */
  submitPerEnterprise: number;
}

export const DEFAULT_QR_LIMITS: QrPageLimits = Object.freeze({
  windowMs: 15 * 60_000,
  sendPerToken: 10,
  sendPerIp: 5,
  verifyPerToken: 10,
  verifyPerIp: 30,
  submitPerEnterprise: 10,
});

export function nonceOf(res: Response): string {
  return res.locals.cspNonce as string;
}

export function pageHeaders(): RequestHandler[] {
  const setNonce: RequestHandler = (_req, res, next) => {
    res.locals.cspNonce = randomBytes(16).toString('base64');
    res.set('Cache-Control', 'no-store');
    res.set('X-Robots-Tag', 'noindex, nofollow');
    next();
  };
  // The app-wide helmet() has already set the other security headers; only these two differ here.
  const csp = helmet.contentSecurityPolicy({
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      styleSrc: [
        (_req: IncomingMessage, res: ServerResponse) => `'nonce-${(res as Response).locals.cspNonce}'`,
      ],
      // The live-update script (nonce) and its event stream back to this server.
      scriptSrc: [
        (_req: IncomingMessage, res: ServerResponse) => `'nonce-${(res as Response).locals.cspNonce}'`,
      ],
      connectSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
  });
  const referrer = helmet.referrerPolicy({ policy: 'no-referrer' });
  return [setNonce, csp, referrer];
}

const tokenOf = (req: Request) => String(req.params.token ?? '');

/** Sending a code costs an SMS: every request counts. A PIN entry counts when it fails (a 4xx answer). */
export function verificationLimits(rateLimits: RateLimits, limits: QrPageLimits) {
  const limiter = (name: string, limit: number, key: (r: Request) => string, onlyFailures: boolean) =>
    rateLimits.limiter({
      name,
      windowMs: limits.windowMs,
      limit,
      onlyFailures,
      key,
      handler: (req, res) => {
        res.status(429).set('Retry-After', String(Math.ceil(limits.windowMs / 1000)));
        res.type('html').send(tooManyPage(nonceOf(res), `${pagePath(tokenOf(req))}/verify`));
      },
    });
  return {
    send: [
      limiter('qr-send-token', limits.sendPerToken, tokenOf, false),
      limiter('qr-send-ip', limits.sendPerIp, clientKey, false),
    ],
    pin: [
      limiter('qr-pin-token', limits.verifyPerToken, tokenOf, true),
      limiter('qr-pin-ip', limits.verifyPerIp, clientKey, true),
    ],
  };
}

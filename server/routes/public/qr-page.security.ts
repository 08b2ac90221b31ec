// HTTP hardening for the QR page: a per-response CSP nonce for the one inline stylesheet (no scripts at all),
// no caching anywhere (the pages are per enterprise and may be personalised), no indexing, and the rate
// limits on sending and checking verification codes, per printed token and per client IP.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { pagePath } from './qr-session.ts';
import { tooManyPage } from './layout.view.ts';

export interface QrPageLimits {
  windowMs: number;
  /** Code sends per printed token / per IP within the window. */
  sendPerToken: number;
  sendPerIp: number;
  /** Failed verifications (code or PIN) per printed token / per IP within the window. */
  verifyPerToken: number;
  verifyPerIp: number;
}

export const DEFAULT_QR_LIMITS: QrPageLimits = Object.freeze({
  windowMs: 15 * 60_000,
  sendPerToken: 5,
  sendPerIp: 20,
  verifyPerToken: 10,
  verifyPerIp: 30,
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
const ipOf = (req: Request) => ipKeyGenerator(req.ip ?? '');

function limiter(
  prefix: string,
  windowMs: number,
  limit: number,
  key: (r: Request) => string,
  onlyFailures: boolean,
) {
  return rateLimit({
    windowMs,
    limit,
    skipSuccessfulRequests: onlyFailures,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => `${prefix}|${key(req)}`,
    handler: (req, res) => {
      res.status(429).set('Retry-After', String(Math.ceil(windowMs / 1000)));
      res.type('html').send(tooManyPage(nonceOf(res), `${pagePath(tokenOf(req))}/verify`));
    },
  });
}

/** Sending a code costs an SMS: every request counts. Checking counts failures only (a 4xx answer). */
export function verificationLimits(limits: QrPageLimits) {
  return {
    send: [
      limiter('send-token', limits.windowMs, limits.sendPerToken, tokenOf, false),
      limiter('send-ip', limits.windowMs, limits.sendPerIp, ipOf, false),
    ],
    verify: [
      limiter('verify-token', limits.windowMs, limits.verifyPerToken, tokenOf, true),
      limiter('verify-ip', limits.windowMs, limits.verifyPerIp, ipOf, true),
    ],
  };
}

// The verified owner's session on the QR page, and the CSRF tokens of its forms.
//
// A session is a short-lived HS256 JWT in an HttpOnly, SameSite=Lax cookie whose path is the enterprise's own
// page, so a browser never even sends it to another enterprise's page. The JWT names the enterprise and a
// digest of the QR token it was issued under: rotating the token (revoking the printed code) ends every
// session at once. It also carries the enterprise's owner session version, which logout bumps in the
// database: a session is revocable server-side, not only by forgetting the cookie. Its key is derived from, but not equal to, the staff JWT secret, and it has its own issuer
// and audience, so a staff token is never a QR session and vice versa.
//
// CSRF: every POST carries `_csrf` (a multipart form sends it before its files, which are read only after it). With a session it must equal the random value sealed in the JWT; before
// verification (sending or checking a code) it must equal a random pre-session cookie (double submit).
import { createHash, createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import jwt from 'jsonwebtoken';
import type { Clock } from '../../../shared/clock.ts';
import { readCookie } from '../../http/cookies.ts';

export const SESSION_COOKIE = 'eq_owner';
export const PRE_COOKIE = 'eq_pre';
export const SESSION_MINUTES = 30;
const ISSUER = 'eil-qr-owner';
const AUDIENCE = 'qr-page';

export interface OwnerSession {
  enterpriseId: string;
  csrf: string;
}

export interface QrSessions {
  /** Starts a session at the enterprise's current session version: sets the cookie, returns the session. */
  start(req: Request, res: Response, owner: SessionOwner): OwnerSession;
  /**
   * The session for exactly this enterprise, token and session version, or null (absent, expired, foreign,
   * rotated, logged out).
   */
  read(req: Request, owner: SessionOwner): OwnerSession | null;
  end(req: Request, res: Response, qrToken: string): void;
  /** The pre-session CSRF value, creating its cookie when missing. */
  preToken(req: Request, res: Response, qrToken: string): string;
  /** True when the form's `_csrf` matches `expected`. */
  checkCsrf(req: Request, expected: string | undefined): boolean;
  /** The same check on a token already read (a multipart form's, read as it streams in). */
  csrfMatches(sent: unknown, expected: string | undefined): boolean;
  /** The pre-session cookie's value (for checking verification forms). */
  preCookie(req: Request): string | undefined;
}

/** Whose session: the enterprise, the printed token it came in by, and its current owner session version. */
export interface SessionOwner {
  enterpriseId: string;
  qrToken: string;
  sessionVersion: number;
}

export function pagePath(qrToken: string): string {
  return `/e/${encodeURIComponent(qrToken)}`;
}

/** A digest of the QR token: binds a session to the code it came from without storing the token itself. */
export function tokenTag(qrToken: string): string {
  return createHash('sha256').update(qrToken).digest('base64url').slice(0, 22);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function csrfMatches(sent: unknown, expected: string | undefined): boolean {
  return typeof sent === 'string' && !!expected && sameText(sent, expected);
}

/**
 * `httpsOnly`: the public address is https (PUBLIC_BASE_URL), so the cookies are Secure even when a proxy in
 * front terminates TLS and the request reaches the app as http.
 */
export function createQrSessions(secret: string, clock: Clock, httpsOnly: boolean): QrSessions {
  // A KeyObject, so jsonwebtoken does not try (and fail) to parse the key as a public key on every page view.
  const key = createSecretKey(createHmac('sha256', secret).update('qr-owner-session/v1').digest());
  const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);
  const cookieOptions = (req: Request, qrToken: string) => ({
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: httpsOnly || req.secure,
    path: pagePath(qrToken),
  });

  return {
    start(req, res, { enterpriseId, qrToken, sessionVersion }) {
      const csrf = randomBytes(24).toString('base64url');
      const claims = {
        sub: enterpriseId,
        qt: tokenTag(qrToken),
        sv: sessionVersion,
        csrf,
        iat: nowSeconds(),
      };
      const token = jwt.sign(claims, key, {
        algorithm: 'HS256',
        expiresIn: SESSION_MINUTES * 60,
        issuer: ISSUER,
        audience: AUDIENCE,
      });
      res.cookie(SESSION_COOKIE, token, { ...cookieOptions(req, qrToken), maxAge: SESSION_MINUTES * 60_000 });
      return { enterpriseId, csrf };
    },
    read(req, { enterpriseId, qrToken, sessionVersion }) {
      const token = readCookie(req, SESSION_COOKIE);
      if (!token) return null;
      try {
        const claims = jwt.verify(token, key, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: AUDIENCE,
          clockTimestamp: nowSeconds(),
        }) as { sub?: unknown; qt?: unknown; sv?: unknown; csrf?: unknown };
        if (claims.sub !== enterpriseId || claims.qt !== tokenTag(qrToken)) return null;
        if (claims.sv !== sessionVersion) return null;
        if (typeof claims.csrf !== 'string') return null;
        return { enterpriseId, csrf: claims.csrf };
      } catch {
        return null;
      }
    },
    end(req, res, qrToken) {
      res.clearCookie(SESSION_COOKIE, cookieOptions(req, qrToken));
    },
    preToken(req, res, qrToken) {
      const existing = readCookie(req, PRE_COOKIE);
      if (existing && /^[A-Za-z0-9_-]{32}$/.test(existing)) return existing;
      const fresh = randomBytes(24).toString('base64url');
      res.cookie(PRE_COOKIE, fresh, cookieOptions(req, qrToken));
      return fresh;
    },
    preCookie(req) {
      return readCookie(req, PRE_COOKIE);
    },
    checkCsrf(req, expected) {
      return csrfMatches((req.body as { _csrf?: unknown } | undefined)?._csrf, expected);
    },
    csrfMatches,
  };
}

// The staff session that survives a new tab and a reload: besides the short-lived bearer token, login sets an
// httpOnly, SameSite=Strict refresh cookie (Secure when the public address is https) scoped to /api/auth, and
// POST /api/auth/refresh trades it for a fresh bearer token. The refresh token is a JWT signed with a key of
// its own (so neither token passes for the other) carrying the user's tokenVersion: logout, disabling and a
// password reset bump the version and end every session at once, exactly as for bearer tokens.
import type { Request, Response } from 'express';

export const REFRESH_COOKIE = 'eil_refresh';
export const REFRESH_COOKIE_PATH = '/api/auth';
/** How long a browser stays logged in without a visit. */
export const REFRESH_LIFETIME = '7d';
const REFRESH_LIFETIME_MS = 7 * 24 * 3600 * 1000;

/** The key of refresh tokens: derived from the JWT secret, never equal to the bearer tokens' key. */
export function refreshSecretOf(jwtSecret: string): string {
  return `${jwtSecret}#staff-refresh`;
}

export function setRefreshCookie(res: Response, token: string, secure: boolean): void {
  res.cookie(REFRESH_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: REFRESH_COOKIE_PATH,
    maxAge: REFRESH_LIFETIME_MS,
  });
}

export function clearRefreshCookie(res: Response, secure: boolean): void {
  res.clearCookie(REFRESH_COOKIE, { httpOnly: true, sameSite: 'strict', secure, path: REFRESH_COOKIE_PATH });
}

/** The refresh cookie's value from the Cookie header, if present. */
export function refreshCookieOf(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === REFRESH_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return value.length > 0 && value.length < 2048 ? value : undefined;
    }
  }
  return undefined;
}

// The staff session that survives a new tab and a reload: besides the short-lived bearer token, login sets an
// httpOnly, SameSite=Strict refresh cookie (Secure when the public address is https) scoped to /api/auth, and
// POST /api/auth/refresh trades it for a fresh bearer token and a new cookie. The refresh token is a JWT signed
// with a key of its own (so neither token passes for the other) carrying the user's tokenVersion: logout,
// disabling and a password reset bump the version and end every session at once, exactly as for bearer tokens.
// It also names its browser's session and generation, so each cookie is good for one refresh and a copied one
// ends the session (staff-session.command.ts).
import type { Request, Response } from 'express';
import { readCookie } from '../http/cookies.ts';

export const REFRESH_COOKIE = 'eil_refresh';
export const REFRESH_COOKIE_PATH = '/api/auth';
/** How long a browser stays logged in without a visit. */
export const REFRESH_LIFETIME = '7d';
export const REFRESH_LIFETIME_MS = 7 * 24 * 3600 * 1000;

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
  return readCookie(req, REFRESH_COOKIE);
}

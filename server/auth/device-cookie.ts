// Known devices, against locking staff out of their own accounts. Guesses at one account are limited wherever
// they come from (login-throttle.ts: 20 in 15 minutes, then 429), so anyone who knows a username could keep its
// owner out. A browser in which the account has logged in correctly holds a signed device cookie naming that
// account; a login from it is counted per device instead of against the account, so the account's owner still
// gets in from the browser they use every day while the guesser is refused, and guesses through a copied device
// cookie are limited per device. The cookie is an id and an HMAC of (account, id) under a key derived from the
// JWT secret (rotating the secret forgets every device); it carries no session and grants nothing by itself.
// The QR page's owner uses the same cookies under a key of its own (routes/public/qr-known-browser.ts).
import { createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { readCookie } from '../http/cookies.ts';
import { REFRESH_COOKIE_PATH } from './refresh-cookie.ts';

export const DEVICE_COOKIE = 'eil_device';
export const DEVICE_LIFETIME_MS = 365 * 24 * 3600 * 1000;
const ID_BYTES = 16;

export interface DeviceCookies {
  /** A new device cookie value for `subject` (the account; for the QR page, the enterprise and its versions). */
  issue(subject: string): string;
  /** The device id when the request's device cookie was issued to `subject` under this key; else undefined. */
  deviceOf(req: Request, subject: string): string | undefined;
}

/**
 * `purpose` separates the keys of different uses (a staff device cookie is never a QR-page one), `cookie` is
 * the cookie's name; the defaults are the staff login's.
 */
export function createDeviceCookies(
  jwtSecret: string,
  { purpose = 'staff-device', cookie = DEVICE_COOKIE }: { purpose?: string; cookie?: string } = {},
): DeviceCookies {
  const key = createSecretKey(Buffer.from(`${jwtSecret}#${purpose}`, 'utf8'));
  const mac = (subject: string, id: string) => createHmac('sha256', key).update(`${subject}\n${id}`).digest();
  return {
    issue(subject) {
      const id = randomBytes(ID_BYTES).toString('base64url');
      return `${id}.${mac(subject, id).toString('base64url')}`;
    },
    deviceOf(req, subject) {
      const value = readCookie(req, cookie);
      const dot = value?.indexOf('.') ?? -1;
      if (!value || dot < 1) return undefined;
      const id = value.slice(0, dot);
      const given = Buffer.from(value.slice(dot + 1), 'base64url');
      const expected = mac(subject, id);
      return given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined;
    },
  };
}

export function setDeviceCookie(res: Response, value: string, secure: boolean): void {
  res.cookie(DEVICE_COOKIE, value, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: REFRESH_COOKIE_PATH,
    maxAge: DEVICE_LIFETIME_MS,
  });
}

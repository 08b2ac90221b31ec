// The owner's known browsers on the QR page, so that limits fall on strangers and not on the owner. Anyone
// holding the printed code can ask for codes and guess PINs, and the limits that bound them (per enterprise,
// per address, the PIN lock) would otherwise refuse the owner too. A browser that has verified as the owner
// holds a long-lived device cookie (the staff login's, auth/device-cookie.ts, under a key of its own) signed
// over the enterprise, a digest of the printed token and the owner session version: rotating the code,
// resetting the PIN (both bump the version) or logging out revokes every known browser at once, in every
// process. The cookie grants nothing by itself (the owner still verifies); it only moves the counting from
// the enterprise to that browser. HttpOnly, SameSite=Strict (only the page's own forms need it) and scoped
// to the enterprise's page.
import type { Request, Response } from 'express';
import { createDeviceCookies, DEVICE_LIFETIME_MS } from '../../auth/device-cookie.ts';
import { readCookie } from '../../http/cookies.ts';
import { pagePath, tokenTag, type SessionOwner } from './qr-session.ts';

export const KNOWN_COOKIE = 'eq_known';

export interface KnownBrowsers {
  /** The browser's id when its cookie names this enterprise, printed token and session version; else undefined. */
  idOf(req: Request, owner: SessionOwner): string | undefined;
  /** After a verification: this browser is the owner's (a valid cookie keeps its id and is renewed). */
  remember(req: Request, res: Response, owner: SessionOwner): void;
  forget(req: Request, res: Response, qrToken: string): void;
}

const subjectOf = ({ enterpriseId, qrToken, sessionVersion }: SessionOwner) =>
  `${enterpriseId}\n${tokenTag(qrToken)}\n${sessionVersion}`;

/** `httpsOnly` as for the owner's session (qr-session.ts). */
export function createKnownBrowsers(secret: string, httpsOnly: boolean): KnownBrowsers {
  const cookies = createDeviceCookies(secret, { purpose: 'qr-owner-browser', cookie: KNOWN_COOKIE });
  const options = (req: Request, qrToken: string) => ({
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: httpsOnly || req.secure,
    path: pagePath(qrToken),
  });
  return {
    idOf: (req, owner) => cookies.deviceOf(req, subjectOf(owner)),
    remember(req, res, owner) {
      const current = cookies.deviceOf(req, subjectOf(owner)) ? readCookie(req, KNOWN_COOKIE) : undefined;
      const value = current ?? cookies.issue(subjectOf(owner));
      res.cookie(KNOWN_COOKIE, value, { ...options(req, owner.qrToken), maxAge: DEVICE_LIFETIME_MS });
    },
    forget(req, res, qrToken) {
      res.clearCookie(KNOWN_COOKIE, options(req, qrToken));
    },
  };
}

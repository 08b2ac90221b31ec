// Staff session tokens: HS256 JWTs carrying the user id and the user's tokenVersion. The version is checked
// against the database on every request (see staff.middleware.ts), which is what makes logout and disabling
// take effect immediately despite the token's own expiry.
//
// The secret is turned into a KeyObject once. Handed a string, jsonwebtoken first tries to parse it as a public
// key (createPublicKey throws) on every verify, which cost 1.4-2.7 ms per staff request; with a KeyObject it
// goes straight to the HMAC. The key bytes are the same UTF-8 bytes, so tokens issued before stay valid.
//
// A token's text either carries a good signature or not, for good, so each process verifies a token once and
// afterwards only checks its expiry against the clock (the verification was 4 % of the staff list's CPU). Only
// good tokens are remembered, at most VERIFIED_KEPT of them; revocation is not affected: the tokenVersion is
// read from the database on every request all the same.
import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Clock } from '../../shared/clock.ts';

export interface TokenClaims {
  sub: string;
  tv: number;
  /** A refresh token's session and generation (staff-session.command.ts); bearer tokens carry none. */
  sid?: string;
  n?: number;
}

export interface TokenSigner {
  sign(userId: string, tokenVersion: number, session?: { sid: string; n: number }): string;
  /** Returns the claims, or undefined for any bad, expired or foreign token. */
  verify(token: string): TokenClaims | undefined;
}

const ISSUER = 'enterprise-issue-loop';
/** Good tokens remembered per signer (the oldest goes first); a busy centre has a few hundred staff signed in. */
const VERIFIED_KEPT = 10_000;

interface Verified {
  claims: TokenClaims;
  /** Expiry in unix seconds (jsonwebtoken's rule: good while now < exp). */
  exp: number;
}

export function createTokenSigner(secret: string, expiresIn: string, clock: Clock): TokenSigner {
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);
  const verified = new Map<string, Verified>();
  const remember = (token: string, entry: Verified) => {
    if (verified.size >= VERIFIED_KEPT) verified.delete(verified.keys().next().value!);
    verified.set(token, entry);
  };
  return {
    sign(userId, tokenVersion, session) {
      // `iat` from the injected clock; jsonwebtoken computes `exp` relative to it.
      return jwt.sign({ sub: userId, tv: tokenVersion, ...session, iat: nowSeconds() }, key, {
        algorithm: 'HS256',
        expiresIn: expiresIn as jwt.SignOptions['expiresIn'],
        issuer: ISSUER,
      });
    },
    verify(token) {
      const known = verified.get(token);
      if (known) return nowSeconds() < known.exp ? known.claims : undefined;
      try {
        const payload = jwt.verify(token, key, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          clockTimestamp: nowSeconds(),
        });
        if (typeof payload !== 'object' || payload === null) return undefined;
        const { sub, tv, sid, n, exp, nbf } = payload as {
          sub?: unknown;
          tv?: unknown;
          sid?: unknown;
          n?: unknown;
          exp?: unknown;
          nbf?: unknown;
        };
        if (typeof sub !== 'string' || typeof tv !== 'number') return undefined;
        const session = typeof sid === 'string' && typeof n === 'number' ? { sid, n } : {};
        const claims: TokenClaims = Object.freeze({ sub, tv, ...session });
        // A not-before time would need checking again; this app's tokens carry none.
        if (typeof exp === 'number' && nbf === undefined) remember(token, { claims, exp });
        return claims;
      } catch {
        return undefined;
      }
    },
  };
}

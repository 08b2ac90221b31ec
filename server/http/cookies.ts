// One reader of request cookies for every cookie the app sets (the staff refresh and device cookies, the QR
// page's owner session and CSRF cookies): the app sets few and reads them by name, so a parser library and its
// middleware on every request would cost more than this loop.
import type { Request } from 'express';

/** The longest cookie value the app ever sets is a JWT of well under 1 KB; anything longer is not ours. */
const MAX_VALUE_LENGTH = 2048;

/** The named cookie's value, URI-decoded; undefined when absent, empty, oversized or badly encoded. */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    if (!raw || raw.length > MAX_VALUE_LENGTH) return undefined;
    try {
      return decodeURIComponent(raw);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

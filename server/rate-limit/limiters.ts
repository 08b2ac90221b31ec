// The app's rate limiters, all counted in the database (db-store.ts): what routes use instead of
// express-rate-limit's per-process memory. Keys are the client address as Express sees it (`req.ip`, which
// honours only the configured trusted proxies), a printed token, or an account name.
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Clock } from '../../shared/clock.ts';
import type { Models } from '../models/index.ts';
import { createCounters, type Counters } from './counters.ts';
import { DbRateLimitStore } from './db-store.ts';

export interface LimiterOptions {
  /** Unique per limiter: it prefixes the counter keys. */
  name: string;
  windowMs: number;
  limit: number;
  key: (req: Request, res: Parameters<RequestHandler>[1]) => string;
  /** Count only requests answered with a 4xx/5xx (e.g. failed verifications), not successful ones. */
  onlyFailures?: boolean;
  /** Requests this limiter neither counts nor refuses (e.g. the QR page owner's known browser). */
  skip?: (req: Request, res: Parameters<RequestHandler>[1]) => boolean;
  /** Answers a request over the limit (default: the error middleware's 429). */
  handler: (req: Request, res: Parameters<RequestHandler>[1], next: Parameters<RequestHandler>[2]) => void;
}

export interface RateLimits {
  counters: Counters;
  limiter(options: LimiterOptions): RequestHandler;
}

/** The client address key (IPv6 grouped by /56, as express-rate-limit recommends). */
export const clientKey = (req: Request): string => ipKeyGenerator(req.ip ?? '');

export function createRateLimits(models: Pick<Models, 'RateLimit'>, clock: Clock): RateLimits {
  const counters = createCounters(models.RateLimit, clock);
  return {
    counters,
    limiter: (o) =>
      rateLimit({
        windowMs: o.windowMs,
        limit: o.limit,
        skipSuccessfulRequests: o.onlyFailures ?? false,
        standardHeaders: 'draft-8',
        legacyHeaders: false,
        store: new DbRateLimitStore(counters, `${o.name}|`),
        keyGenerator: o.key,
        handler: o.handler,
        ...(o.skip ? { skip: o.skip } : {}),
      }),
  };
}

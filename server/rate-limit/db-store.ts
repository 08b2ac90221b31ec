// An express-rate-limit Store over the database counters (counters.ts), so limits hold across every app
// process and survive a restart. One store per limiter: its prefix keeps the limiters' keys apart.
import type { ClientRateLimitInfo, IncrementResponse, Options, Store } from 'express-rate-limit';
import type { Counters } from './counters.ts';

export class DbRateLimitStore implements Store {
  /** Counts are shared by every process (express-rate-limit checks this against double counting). */
  readonly localKeys = false;
  private windowMs = 60_000;

  constructor(
    private readonly counters: Counters,
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const count = await this.counters.get(this.prefix + key);
    return count && { totalHits: count.hits, resetTime: count.resetAt };
  }

  async increment(key: string): Promise<IncrementResponse> {
    const count = await this.counters.hit(this.prefix + key, this.windowMs);
    return { totalHits: count.hits, resetTime: count.resetAt };
  }

  async decrement(key: string): Promise<void> {
    await this.counters.giveBack(this.prefix + key);
  }

  async resetKey(key: string): Promise<void> {
    await this.counters.reset(this.prefix + key);
  }
}

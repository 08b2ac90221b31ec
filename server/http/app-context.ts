// What every router factory receives from createApp: the injected dependencies plus the shared auth pieces.
// Routers take this instead of importing singletons, so an app instance is fully isolated.
import type { RequestHandler } from 'express';
import type { Connection } from 'mongoose';
import type { Clock, SimulatedClock } from '../../shared/clock.ts';
import type { TokenSigner } from '../auth/token.ts';
import type { IssueChangeListener } from '../commands/issue-deps.ts';
import type { Config } from '../config.ts';
import type { IntakeConfigSource } from '../intake/intake-config.ts';
import type { Logger } from '../logger.ts';
import type { Models } from '../models/index.ts';

export interface AppContext {
  config: Config;
  conn: Connection;
  models: Models;
  /** Business time: deadlines, timestamps. Simulated when DEMO_CLOCK=1. */
  clock: Clock;
  /** Set only when DEMO_CLOCK=1: the same object as `clock`, with advance/set for /api/dev/clock. */
  simulatedClock?: SimulatedClock;
  logger: Logger;
  /** Runs after the demo clock moves (the escalation sweep), so lights change at once; awaited. */
  afterClockAdvance?: () => Promise<unknown>;
  /** After-commit listener for issue changes (realtime); passed to the issues router. */
  onIssueChange?: IssueChangeListener;
  tokens: TokenSigner;
  /** Signs and checks the staff refresh cookie (server/auth/refresh-cookie.ts). */
  refreshTokens: TokenSigner;
  requireStaff: RequestHandler;
  /**
   * Units, routing rules and the calendar as intake and deadlines read them (cached); routers that change them
   * call invalidate() after the write.
   */
  intakeConfig: IntakeConfigSource;
}

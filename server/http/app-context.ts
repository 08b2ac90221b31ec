// What every router factory receives from createApp: the injected dependencies plus the shared auth pieces.
// Routers take this instead of importing singletons, so an app instance is fully isolated.
import type { RequestHandler } from 'express';
import type { Connection } from 'mongoose';
import type { Clock, SimulatedClock } from '../../shared/clock.ts';
import type { DeviceCookies } from '../auth/device-cookie.ts';
import type { LoginLimits } from '../auth/login-throttle.ts';
import type { AttachmentStore } from '../attachments/attachment.store.ts';
import type { TokenSigner } from '../auth/token.ts';
import type { IntakeSink } from '../channels/types.ts';
import type { IssueChangeListener } from '../commands/issue-deps.ts';
import type { Config } from '../config.ts';
import type { IntakeConfigSource } from '../intake/intake-config.ts';
import type { Logger } from '../logger.ts';
import type { Models } from '../models/index.ts';
import type { RateLimits } from '../rate-limit/limiters.ts';
import type { NotifyService } from '../notify/notify-service.ts';
import type { DeadlineRecomputer } from '../jobs/deadline-recompute.job.ts';
import type { ClassifierService } from '../text/classifier.service.ts';

export interface AppContext {
  config: Config;
  conn: Connection;
  models: Models;
  /** Business time: deadlines, timestamps. Simulated when DEMO_CLOCK=1. */
  clock: Clock;
  /** Set only when DEMO_CLOCK=1: the same object as `clock`, with advance/set for /api/dev/clock. */
  simulatedClock?: SimulatedClock;
  /** Wall time for what an attacker must not be able to age or pre-date: tokens, signatures, rate limits. */
  securityClock: Clock;
  logger: Logger;
  /** Runs after the demo clock moves (the escalation sweep), so lights change at once; awaited. */
  afterClockAdvance?: () => Promise<unknown>;
  /** After-commit listener for issue changes (realtime); passed to the issues router. */
  onIssueChange?: IssueChangeListener;
  tokens: TokenSigner;
  /** Signs and checks the staff refresh cookie (server/auth/refresh-cookie.ts). */
  refreshTokens: TokenSigner;
  /** Staff login's known-device cookies (auth/device-cookie.ts). */
  devices: DeviceCookies;
  requireStaff: RequestHandler;
  /**
   * Units, routing rules and the calendar as intake and deadlines read them (cached); routers that change them
   * call invalidate() after the write.
   */
  intakeConfig: IntakeConfigSource;
  /** Rate limiters whose counters live in the database (shared by every process); use these, not memory. */
  limits: RateLimits;
  /** Staff login limits (per address, per account, progressive delay). */
  loginLimits: LoginLimits;
  /** Notifications (outbox writer and delivery worker), when the app was given them. */
  notify?: NotifyService;
  /** Recomputes open issues' deadlines in the background after a policy or calendar change. */
  deadlines?: DeadlineRecomputer;
  /** An enterprise's printed code was replaced: the QR page's live streams opened with the old one close. */
  onQrCodeReplaced?: (enterpriseId: string) => Promise<void>;
  /** A user's sessions may have been revoked (logout, account change): realtime re-checks their sockets. */
  onSessionsChanged?: (userId: string) => void;
  /** Where channel edges (WeChat, email, imports) hand their messages: the intake pipeline. */
  intakeSink: IntakeSink;
  /** Issue attachments (GridFS). */
  attachments: AttachmentStore;
  /** Category and urgency of texts: the trained model in memory (server/text). */
  classifier: ClassifierService;
}

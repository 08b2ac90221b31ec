// The Express application factory. It has no module-level side effects and reads nothing global: config,
// database connection, clock and logger are injected, so tests build as many isolated apps as they like.
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Connection } from 'mongoose';
import { systemClock, type Clock, type SimulatedClock } from '../shared/clock.ts';
import { createRequireStaff } from './auth/staff.middleware.ts';
import { REFRESH_LIFETIME, refreshSecretOf } from './auth/refresh-cookie.ts';
import { createTokenSigner } from './auth/token.ts';
import type { IssueChangeListener } from './commands/issue-deps.ts';
import type { Config } from './config.ts';
import type { AppContext } from './http/app-context.ts';
import { errorMiddleware, notFoundHandler } from './http/error.middleware.ts';
import { createIntakeConfigCache, type SnapshotCacheOptions } from './intake/intake-config.ts';
import { createHttpLogger, type Logger } from './logger.ts';
import { createModels, type Models } from './models/index.ts';
import { createApiRouter } from './routes/index.ts';
import { createWebStatic } from './http/web.static.ts';
import { createLogSmsSender, type SmsSender } from './notify/sms.ts';
import { createQrPageRouter } from './routes/public/index.ts';
import type { QrPageLimits } from './routes/public/qr-page.security.ts';

export interface AppDeps {
  config: Config;
  conn: Connection;
  /** Business clock (deadlines, timestamps). */
  clock: Clock;
  logger: Logger;
  /** Defaults to createModels(conn, clock). */
  models?: Models;
  /**
   * Clock for session expiry. Defaults to the real clock: token lifetime is a security property, and a demo
   * that fast-forwards the business clock should not log everyone out.
   */
  authClock?: Clock;
  /** Pass the simulated clock (also as `clock`) to enable /api/dev/clock when config.demoClock is set. */
  simulatedClock?: SimulatedClock;
  /** Called (and awaited) after POST /api/dev/clock moves the clock: main.ts runs the escalation sweep. */
  afterClockAdvance?: () => Promise<unknown>;
  /** Built staff workbench to serve (default web/dist; served only when it exists). */
  webDist?: string;
  /** Delivers QR-page verification codes; defaults to logging them (development). */
  sms?: SmsSender;
  /** Hears every committed issue change made through the API (realtime); must not throw. */
  onIssueChange?: IssueChangeListener;
  /** Overrides of the QR page's verification rate limits (tests). */
  qrLimits?: Partial<QrPageLimits>;
  /** How long another process's configuration change may go unseen here (tests). */
  intakeConfigCache?: SnapshotCacheOptions;
}

export const JSON_BODY_LIMIT = '256kb';
const PING_TIMEOUT_MS = 2000;

export function createApp(deps: AppDeps): Express {
  const { config, conn, clock, logger } = deps;
  if (!config.jwtSecret)
    throw new Error('createApp: config.jwtSecret is not set (call resolveJwtSecret first)');
  const models = deps.models ?? createModels(conn, clock);
  const authClock = deps.authClock ?? systemClock;
  const tokens = createTokenSigner(config.jwtSecret, config.jwtExpiresIn, authClock);
  const refreshTokens = createTokenSigner(refreshSecretOf(config.jwtSecret), REFRESH_LIFETIME, authClock);
  const ctx: AppContext = {
    config,
    conn,
    models,
    clock,
    simulatedClock: config.demoClock ? deps.simulatedClock : undefined,
    logger,
    afterClockAdvance: deps.afterClockAdvance,
    onIssueChange: deps.onIssueChange,
    tokens,
    refreshTokens,
    requireStaff: createRequireStaff(models, tokens),
    intakeConfig: createIntakeConfigCache(models, deps.intakeConfigCache),
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(createHttpLogger(logger));
  // Served over plain HTTP (a demo on a LAN address), upgrade-insecure-requests would make browsers fetch the
  // workbench's own assets over https and fail; only ask for it when the public address is https.
  const https = config.publicBaseUrl.startsWith('https:');
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: https ? [] : null } } }));
  app.use(express.json({ limit: JSON_BODY_LIMIT }));

  app.get('/healthz', async (_req, res) => {
    const up = await pingDatabase(conn);
    res.status(up ? 200 : 503).json({ status: up ? 'ok' : 'unavailable' });
  });

  app.use('/api', createApiRouter(ctx));
  app.use('/api', notFoundHandler);

  // PUBLIC PAGES: the QR page router (`/e/:token`) and the web front end are mounted here by their owners.
  app.use(
    '/e',
    createQrPageRouter(ctx, {
      sms: deps.sms ?? createLogSmsSender(logger),
      securityClock: deps.authClock ?? systemClock,
      limits: deps.qrLimits,
    }),
  );
  const web = createWebStatic(deps.webDist);
  if (web) app.use(web);

  app.use(notFoundHandler);
  app.use(errorMiddleware);
  return app;
}

/** True when the database answers a ping within PING_TIMEOUT_MS. */
async function pingDatabase(conn: Connection): Promise<boolean> {
  const db = conn.db;
  if (conn.readyState !== 1 || !db) return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('ping timeout')), PING_TIMEOUT_MS);
    });
    await Promise.race([db.admin().ping(), timeout]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

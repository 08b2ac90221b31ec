// The Express application factory. It has no module-level side effects and reads nothing global: config,
// database connection, clock and logger are injected, so tests build as many isolated apps as they like.
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Connection } from 'mongoose';
import { systemClock, type Clock, type SimulatedClock } from '../shared/clock.ts';
import { DEFAULT_LOGIN_LIMITS, type LoginLimits } from './auth/login-throttle.ts';
import { createAttachmentStore } from './attachments/attachment.store.ts';
import { createRequireStaff } from './auth/staff.middleware.ts';
import type { IntakeSink } from './channels/types.ts';
import { REFRESH_LIFETIME, refreshSecretOf } from './auth/refresh-cookie.ts';
import { createDeviceCookies } from './auth/device-cookie.ts';
import { createTokenSigner } from './auth/token.ts';
import { combineListeners, type IssueChangeListener } from './commands/issue-deps.ts';
import type { Config } from './config.ts';
import type { AppContext } from './http/app-context.ts';
import { bodyGuard, requireJsonBody, requireUtf8 } from './http/body-guard.middleware.ts';
import { errorMiddleware, notFoundHandler } from './http/error.middleware.ts';
import { createIntakeConfigCache, type SnapshotCacheOptions } from './intake/intake-config.ts';
import { createIntakeSink } from './intake/intake-sink.ts';
import { createHttpLogger, type Logger } from './logger.ts';
import { createModels, type Models } from './models/index.ts';
import { createRateLimits } from './rate-limit/limiters.ts';
import { createApiRouter } from './routes/index.ts';
import { openApiDocument } from './http/openapi.ts';
import { createIntakeRouter } from './routes/intake/index.ts';
import { favicon } from './http/favicon.ts';
import { createWebStatic } from './http/web.static.ts';
import type { NotifyService } from './notify/notify-service.ts';
import { recordingSmsSender } from './notify/recording-sms.ts';
import { createLogSmsSender, type SmsSender } from './notify/sms.ts';
import { createQrPageRouter } from './routes/public/index.ts';
import { createQrLiveHub, type QrLiveHub } from './realtime/qr-live.ts';
import { createDeadlineRecomputer, type DeadlineRecomputer } from './jobs/deadline-recompute.job.ts';
import type { QrPageLimits } from './routes/public/qr-page.security.ts';
import { createClassifierService, type ClassifierService } from './text/classifier.service.ts';

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
  /** Overrides of the staff login limits (tests). */
  loginLimits?: Partial<LoginLimits>;
  /** How long another process's configuration change may go unseen here (tests). */
  intakeConfigCache?: SnapshotCacheOptions;
  /** Notifications: every committed change writes the outbox; QR codes go through its SMS provider. */
  notify?: NotifyService;
  /** Background deadline recompute after policy/calendar changes; created when absent. */
  deadlines?: DeadlineRecomputer;
  /** A user's sessions may have been revoked (realtime disconnects their sockets at once). */
  onSessionsChanged?: (userId: string) => void;
  /** The QR page's live rooms (one per process; main.ts shares it with the sweep). Created when absent. */
  qrLive?: QrLiveHub;
  /** Where channel edges hand their messages; defaults to the intake pipeline (intake/intake-sink.ts). */
  intakeSink?: IntakeSink;
  /**
   * The text classifier (server/text); main.ts starts one that trains and retrains. Defaults to one that loads
   * the active model from the database but never trains or schedules.
   */
  classifier?: ClassifierService;
}

export const JSON_BODY_LIMIT = '256kb';
const PING_TIMEOUT_MS = 2000;

/**
 * API answers are never stored, and say the server's time (X-Server-Time, ms since the epoch, by the app's
 * clock): the staff app counts its lights and countdowns from it, not from the device's own clock, which may
 * be wrong (and under DEMO_CLOCK is not the app's). Under DEMO_CLOCK they also say `X-Clock: simulated`, so the
 * admin screen offers 演示时钟 without asking for a clock that is not there.
 */
const apiHeaders =
  (clock: Clock, simulated: boolean): RequestHandler =>
  (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Server-Time', String(clock.now().getTime()));
    if (simulated) res.setHeader('X-Clock', 'simulated');
    next();
  };

export function createApp(deps: AppDeps): Express {
  const { config, conn, clock, logger } = deps;
  if (!config.jwtSecret)
    throw new Error('createApp: config.jwtSecret is not set (call resolveJwtSecret first)');
  const models = deps.models ?? createModels(conn, clock);
  const securityClock = deps.authClock ?? systemClock;
  const tokens = createTokenSigner(config.jwtSecret, config.jwtExpiresIn, securityClock);
  const qrLive = deps.qrLive ?? createQrLiveHub();
  const onIssueChange = combineListeners(deps.onIssueChange, deps.notify?.notifier.onChange, qrLive.onChange);
  const intakeConfig = createIntakeConfigCache(models, deps.intakeConfigCache);
  const attachments = createAttachmentStore(conn, models, clock);
  const classifier = deps.classifier ?? createClassifierService({ models, clock, logger, schedule: false });
  const refreshTokens = createTokenSigner(refreshSecretOf(config.jwtSecret), REFRESH_LIFETIME, securityClock);
  const ctx: AppContext = {
    config,
    conn,
    models,
    clock,
    simulatedClock: config.demoClock ? deps.simulatedClock : undefined,
    securityClock,
    logger,
    afterClockAdvance: deps.afterClockAdvance,
    onIssueChange,
    deadlines: deps.deadlines ?? createDeadlineRecomputer({ models, clock, logger, onChange: onIssueChange }),
    notify: deps.notify,
    onSessionsChanged: deps.onSessionsChanged,
    onQrCodeReplaced: qrLive.revoke,
    tokens,
    refreshTokens,
    devices: createDeviceCookies(config.jwtSecret),
    requireStaff: createRequireStaff(models, tokens),
    limits: createRateLimits(models, securityClock),
    loginLimits: { ...DEFAULT_LOGIN_LIMITS, ...deps.loginLimits },
    intakeConfig,
    attachments,
    intakeSink:
      deps.intakeSink ??
      createIntakeSink({ models, clock, intakeConfig, onIssueChange, logger, classifier }, attachments),
    classifier,
  };

  const app = express();
  app.disable('x-powered-by');
  // Only the configured proxies may name the client (X-Forwarded-For); see README "Security".
  app.set('trust proxy', config.trustedProxies.length ? config.trustedProxies : config.trustProxy);
  app.use(createHttpLogger(logger));
  // Served over plain HTTP (a demo on a LAN address), upgrade-insecure-requests would make browsers fetch the
  // workbench's own assets over https and fail; only ask for it when the public address is https.
  const https = config.publicBaseUrl.startsWith('https:');
  // HSTS over plain http would pin browsers of a LAN demo to an https address that does not exist.
  // Images may also be blob: URLs: the issue page shows attachments it fetched with the session's token.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: { upgradeInsecureRequests: https ? [] : null, imgSrc: ["'self'", 'data:', 'blob:'] },
    },
    strictTransportSecurity: https,
  });
  // The QR page (`/e/:token`, a district's scans at a peak) answers every path under /e itself, with helmet's
  // headers set in one pass, its own form parser, body check, 404 and error pages: mounted first, a scan passes
  // none of the staff API's middleware (bench/LOG.md, "The QR page ahead of the staff API's middleware").
  app.use(
    '/e',
    createQrPageRouter(
      ctx,
      {
        sms: deps.sms ?? defaultCodeSender(deps),
        securityClock,
        limits: deps.qrLimits,
        onChange: ctx.onIssueChange,
        live: qrLive,
      },
      securityHeaders,
    ),
  );
  app.use(securityHeaders);
  // API answers carry personal data and change with every action: no browser or proxy keeps a copy, so an ETag
  // would never be asked for again, and Express hashes every body it sends for one (2 % of the staff list's
  // CPU). Static files (web.static.ts) and the QR page set their own caching.
  app.set('etag', false);
  app.use('/api', apiHeaders(clock, ctx.simulatedClock !== undefined));
  // Signed channel webhooks read their raw bytes, so they come before the JSON parser.
  app.use('/api/intake', createIntakeRouter(ctx, { securityClock }));
  app.use(express.json({ limit: JSON_BODY_LIMIT, verify: requireUtf8 }));
  app.use('/api', requireJsonBody);
  app.use(bodyGuard);

  // The API's document for integrators (server/http/openapi.ts), public as README.md is; built on first ask.
  let openApi: object | undefined;
  app.get('/api/openapi.json', (_req, res) => {
    openApi ??= openApiDocument();
    res.json(openApi);
  });

  app.get('/healthz', async (_req, res) => {
    const up = await pingDatabase(conn);
    res.status(up ? 200 : 503).json({ status: up ? 'ok' : 'unavailable' });
  });

  app.use('/api', createApiRouter(ctx));
  app.use('/api', notFoundHandler);

  app.get(['/favicon.svg', '/favicon.ico'], favicon);
  // PUBLIC PAGES: the web front end is mounted here by its owner (the QR page is mounted above).
  const web = createWebStatic(deps.webDist);
  if (web) app.use(web);

  app.use(notFoundHandler);
  app.use(errorMiddleware);
  return app;
}

/** QR verification codes: the notification SMS provider (recorded in the outbox), or the log in development. */
function defaultCodeSender(deps: AppDeps): SmsSender {
  const { config, logger, notify } = deps;
  if (!notify) return createLogSmsSender(logger, { demo: config.demo });
  return recordingSmsSender(notify.sms, notify.notifier, {
    clock: deps.authClock ?? systemClock,
    demo: config.demo,
  });
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

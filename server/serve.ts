// Everything the process runs once its database is open (main.ts opens it and loads this module meanwhile):
// indexes, demo seeding, the HTTP server and live updates, intake listeners, the scheduled jobs, and the
// graceful shutdown on SIGTERM/SIGINT.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock, type SimulatedClock } from '../shared/clock.ts';
import { ROLE_LABELS } from '../shared/roles.ts';
import { createApp } from './app.ts';
import { recomputeAfterRuleChanges } from './jobs/deadline-recompute.job.ts';
import { createHttpServer, DEFAULT_HTTP_LIMITS } from './http/http-server.ts';
import { createAttachmentStore } from './attachments/attachment.store.ts';
import { startSmtpListener, type SmtpListener } from './channels/email/smtp.listener.ts';
import { DEMO_UNITS } from '../config/units.ts';
import { createIntakeConfigCache } from './intake/intake-config.ts';
import { createIntakeSink } from './intake/intake-sink.ts';
import { createTokenSigner } from './auth/token.ts';
import { bootstrapAdmin } from './auth/bootstrap-admin.ts';
import type { Config } from './config.ts';
import type { Database } from './db/connect.ts';
import { createSweepScheduler, type SweepScheduler } from './jobs/scheduler.ts';
import { channelSecretKeyOf } from './channels/credentials.ts';
import { demoCredentialLines, seedDemoChannelCredentials } from './channels/demo-credentials.ts';
import { createInboxRecoveryScheduler } from './jobs/inbox-recovery.job.ts';
import { createKpiRollupScheduler } from './jobs/kpi-rollup.job.ts';
import { createRetentionScheduler } from './jobs/retention.job.ts';
import { createImportResumer } from './imports/import.job.ts';
import { createPipelineDeps } from './intake/intake-sink.ts';
import type { Logger } from './logger.ts';
import { createModels, ensureIndexes, type Models } from './models/index.ts';
import { upgradeStoredIssues } from './models/issue-upgrades.ts';
import { beginSearchTerms, createSearchTermsJob } from './jobs/search-terms.job.ts';
import { createRealtime, type Realtime } from './realtime/realtime.ts';
import { DEMO_PASSWORD, seedDemoOnce } from './seed/index.ts';
import { retireDemoAccess } from './seed/retire-demo.ts';
import { createQrLiveHub, type QrLiveHub } from './realtime/qr-live.ts';
import { createNotifyService, wechatApiFor, type NotifyService } from './notify/notify-service.ts';
import { MAX_ATTACHMENT_BYTES } from './attachments/attachment.rules.ts';
import { createWechatMediaScheduler } from './jobs/wechat-media.job.ts';
import { createWechatMediaClient } from './wechat/wechat-media.ts';
import { createWechatTokens, type WechatApiOptions, type WechatTokens } from './wechat/wechat-token.ts';
import { combineListeners, type IssueChangeListener } from './commands/issue-deps.ts';
import { createClassifierService, type ClassifierService } from './text/classifier.service.ts';
import { clusterRunnerFor } from './classes/cluster.job.ts';

/** How long in-flight requests get to finish before remaining connections are cut. */
const DRAIN_MS = 10_000;

async function demoBanner(models: Models, config: Config, url: string): Promise<string> {
  const users = await models.User.find({ disabled: false }, { username: 1, role: 1, unitId: 1 }).lean();
  const units = new Map((await models.Unit.find({}, { name: 1 }).lean()).map((u) => [String(u._id), u.name]));
  const centre = users.filter((u) => !u.unitId).sort((a, b) => a.username.localeCompare(b.username));
  const perUnit = users.filter((u) => u.unitId).sort((a, b) => a.username.localeCompare(b.username));
  const lines = [
    '',
    `  涉企问题高效闭环系统 — 演示模式 (demo mode)`,
    `  ${url}`,
    config.demoClock ? '  模拟时钟已开启: GET/POST /api/dev/clock (admin)' : '',
    '',
    `  演示账号（密码均为 ${DEMO_PASSWORD}）:`,
    ...centre.map((u) => `    ${u.username.padEnd(14)} ${ROLE_LABELS[u.role]}`),
    '',
    `  单位账号 (handler-<单位代码> 经办人 / unithead-<单位代码> 负责人):`,
    ...perUnit
      .filter((u) => u.role === 'handler')
      .map((u) => `    ${u.username.padEnd(32)} ${units.get(String(u.unitId)) ?? ''}`),
    '',
    `  演示渠道凭据 (README「Channels」有 curl 示例):`,
    ...demoCredentialLines(),
    '',
  ];
  return lines.filter((l, i) => l !== '' || lines[i - 1] !== '').join('\n') + '\n';
}

/** How a new user reaches the transport channels (WeChat, email, imports) in demo mode. */
function channelBanner(config: Config, url: string, smtpPort: number | undefined): string {
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return (
    [
      '  渠道 (channels):',
      config.wechatToken ? `    微信公众号  ${url}/api/intake/wechat  Token: ${config.wechatToken}` : '',
      smtpPort !== undefined ? `    电子邮件    smtp://${shownHost}:${smtpPort}  (任意收件人)` : '',
      `    批量导入    POST ${url}/api/imports  模板（登录后）: ${url}/api/imports/template.csv`,
      '',
    ]
      .filter((l, i) => l !== '' || i > 0)
      .join('\n') + '\n'
  );
}

export interface ServeOptions {
  config: Config;
  logger: Logger;
  /** The business clock (simulated in demo-clock mode) and the simulated one, when there is one. */
  clock: Clock;
  simulatedClock: SimulatedClock | undefined;
  db: Database;
  /** main.ts's start-up phases: marked here up to 'listen' and logged with 'server listening'. */
  startup: { phases: Record<string, number>; mark(name: string): void };
}

/**
 * The database made ready for this code: indexes, stored issues upgraded, the search terms' start, then the demo
 * seed (demo mode) or the demo's access retired and the admin account set (a deployment).
 */
async function prepareData({
  config,
  logger,
  clock,
  models,
  startup,
}: Pick<ServeOptions, 'config' | 'logger' | 'clock' | 'startup'> & { models: Models }): Promise<void> {
  await ensureIndexes(models);
  startup.mark('indexes');
  for (const [upgrade, issues] of Object.entries(await upgradeStoredIssues(models, clock.now())))
    logger.info({ upgrade, issues }, 'stored issues upgraded');
  // The list search's word index: where filling the issues stored before it starts (jobs/search-terms.job.ts).
  await beginSearchTerms(models, clock.now());
  startup.mark('upgrades');
  if (config.demo) {
    if ((await models.User.countDocuments()) === 0) {
      logger.info('empty database: seeding demo data');
      // Another process starting at the same moment may seed instead; this one then waits for it.
      // The demo's townships declare some local categories, so its issues show routing to a 乡镇/街道.
      const seeded = await seedDemoOnce(models, clock, { units: DEMO_UNITS });
      if (seeded)
        logger.info({ units: seeded.units.length, users: seeded.accounts.length }, 'demo data seeded');
      else logger.info('demo data seeded by another process');
    }
    await seedDemoChannelCredentials(models, channelSecretKeyOf(config), clock);
  } else {
    const retired = await retireDemoAccess(models, clock);
    if (retired.accounts.length || retired.credentials) {
      logger.warn(
        {
          accounts: retired.accounts.length,
          first: retired.accounts.slice(0, 8),
          credentials: retired.credentials,
        },
        'not demo mode: demo accounts still on the demo password disabled, seeded channel credentials revoked',
      );
    }
    const admin = await bootstrapAdmin(models, config.adminUsername, config.adminPassword);
    if (admin) logger.info({ username: admin.username }, 'admin account set from ADMIN_USERNAME');
    else if (!(await models.User.exists({ role: 'admin' }))) {
      logger.warn(
        'no admin account: set ADMIN_USERNAME/ADMIN_PASSWORD or run `npm run create-admin -- <username>`',
      );
    }
  }

  startup.mark('seed');
}

/**
 * The jobs that run beside the HTTP server, each started now and then on its schedule: inbox recovery, resumed
 * imports, KPI rollups, search terms, retention, WeChat pictures and class clustering. `stop` ends them in turn.
 */
function startBackgroundJobs({
  db,
  models,
  clock,
  logger,
  onIssueChange,
  classifier,
  wechatApi,
  wechatTokens,
}: {
  db: Database;
  models: Models;
  clock: Clock;
  logger: Logger;
  onIssueChange: IssueChangeListener;
  classifier: ClassifierService;
  wechatApi: WechatApiOptions | undefined;
  wechatTokens: WechatTokens | undefined;
}) {
  // Messages accepted but not processed when the last run stopped are processed now, and every minute after.
  const intakeConfig = createIntakeConfigCache(models);
  const recovery = createInboxRecoveryScheduler(
    createPipelineDeps({ models, clock, intakeConfig, onIssueChange, logger, classifier }),
    logger,
  );
  recovery.start();
  void recovery.runNow();
  // Import jobs accepted but interrupted (a crash, a kill) continue from their checkpoint, now and whenever
  // another process's job stops beating.
  const imports = createImportResumer({
    conn: db.conn,
    models,
    logger,
    now: () => clock.now(),
    sink: createIntakeSink({ models, clock, intakeConfig, onIssueChange, logger, classifier }),
  });
  imports.start();
  // The KPI dashboard's daily rollups: built at start-up (from the first issue when none are stored), kept
  // every minute after.
  const kpiRollups = createKpiRollupScheduler({ models, clock, logger });
  kpiRollups.start();
  void kpiRollups.runNow();
  // The search terms of the issues stored before the word index, in the background until done.
  const searchTerms = createSearchTermsJob({ models, now: () => clock.now(), logger });
  searchTerms.start();
  void searchTerms.runNow();
  // Old delivered outbox rows and read notices, hourly (server/jobs/retention.job.ts).
  const retention = createRetentionScheduler({ models, clock, logger });
  retention.start();
  // Pictures sent by WeChat: downloaded into their issues now and every minute (when the API is configured),
  // on WeChat's clock, the real one, whatever the demo clock says.
  const wechatMedia =
    wechatApi &&
    createWechatMediaScheduler({
      store: createAttachmentStore(db.conn, models),
      media: createWechatMediaClient({ ...wechatApi, tokens: wechatTokens, maxBytes: MAX_ATTACHMENT_BYTES }),
      clock: systemClock,
      logger,
    });
  wechatMedia?.start();
  void wechatMedia?.runNow();
  // Class-problem clustering (issue 7 §3): hourly, one process per slot; the first run at once so the demo's
  // candidate clusters are there on a fresh start.
  const clustering = clusterRunnerFor({ models, clock, logger });
  clustering.start();
  void clustering.scheduled().catch((err: unknown) => logger.error({ err }, 'class clustering failed'));
  return {
    async stop(): Promise<void> {
      await recovery.stop();
      await imports.stop();
      await kpiRollups.stop();
      await retention.stop();
      await searchTerms.stop();
      await wechatMedia?.stop();
      await clustering.stop();
    },
  };
}

export async function serve({
  config,
  logger,
  clock,
  simulatedClock,
  db,
  startup,
}: ServeOptions): Promise<void> {
  const models = createModels(db.conn, clock);
  await prepareData({ config, logger, clock, models, startup });
  // The escalation sweep runs on the business clock: simulated with DEMO_CLOCK=1, where moving the clock
  // sweeps at once.
  // Live workbench updates: the same JWT checks as the API (session expiry on the real clock, as in createApp).
  if (!config.jwtSecret) throw new Error('JWT secret not resolved');
  const realtime = createRealtime({
    models,
    logger,
    tokens: createTokenSigner(config.jwtSecret, config.jwtExpiresIn, systemClock),
  });
  // Notifications: refuses to start outside demo mode without an explicit SMS provider (SMS_PROVIDER).
  // WeChat's API (customer-service messages, media downloads) with one access token for the process.
  const wechatApi = wechatApiFor(config);
  const wechatTokens = wechatApi && createWechatTokens(wechatApi);
  const notify = createNotifyService({
    config,
    models,
    clock,
    logger,
    onInApp: (n) => realtime.notifyUser(n),
    wechatTokens,
  });
  const qrLive = createQrLiveHub({ models, logger }); // also hears the other app processes' changes
  qrLive.start();
  // What hears an issue's changes: live staff views, the notifier (the outbox) and the QR pages. The HTTP app
  // adds the last two itself (createApp); every other writer (the sweep, email, inbox recovery, resumed
  // imports) is given all three here, so an issue filed by mail is acknowledged and notified like any other.
  const onIssueChange = combineListeners(realtime.onChange, notify.notifier.onChange, qrLive.onChange);
  const sweep = createSweepScheduler({ models, clock, logger, onChange: onIssueChange });
  // The demo clock: sweep at the new time, write the outbox and deliver what fell due (retries included).
  const afterClockAdvance = simulatedClock
    ? async () => {
        await sweep.runNow();
        await notify.flush();
      }
    : undefined;
  // Open deadlines counted by an earlier rule of the code's (once per database, in the background).
  void recomputeAfterRuleChanges({ models, clock, logger, onChange: onIssueChange }).catch((err: unknown) =>
    logger.error({ err }, 'deadline recompute after a rule change failed'),
  );
  startup.mark('services');
  // The text classifier: the active model from the database (the first start trains one in a worker thread
  // while the keyword rules answer), retrained nightly and on demand.
  const classifier = createClassifierService({ models, clock, logger });
  await classifier.start();
  startup.mark('classifier');
  const app = createApp({
    config,
    conn: db.conn,
    clock,
    logger,
    models,
    simulatedClock,
    afterClockAdvance,
    onIssueChange: realtime.onChange,
    notify,
    qrLive,
    onSessionsChanged: (userId) => void realtime.revokeUser(userId).catch(() => undefined),
    classifier,
  });
  const server = createHttpServer(app, {
    ...DEFAULT_HTTP_LIMITS,
    maxPerAddress: config.maxConnectionsPerAddress,
  });
  server.listen(config.port, config.host);
  realtime.attach(server);
  await once(server, 'listening');
  startup.mark('listen');
  const { port } = server.address() as AddressInfo;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${shownHost}:${port}`;
  logger.info(
    { url, demo: config.demo, embeddedDb: db.embedded, startupMs: startup.phases },
    'server listening',
  );
  // Email intake: the built-in SMTP listener (SMTP_PORT; on by default in demo mode).
  const smtp =
    config.smtpPort === undefined
      ? undefined
      : await startSmtpListener({
          port: config.smtpPort,
          host: config.host,
          logger,
          sink: createIntakeSink(
            {
              models,
              clock,
              intakeConfig: createIntakeConfigCache(models),
              onIssueChange,
              logger,
              classifier,
            },
            createAttachmentStore(db.conn, models, clock),
          ),
        });
  if (smtp) logger.info({ port: smtp.port, host: config.host }, 'smtp intake listening');
  if (config.demo && !/^(127\.|::1$|localhost$)/.test(config.host)) {
    // Allowed (a phone on the same network scanning the demo's QR codes), but not by accident.
    logger.warn(
      { host: config.host },
      'demo mode listening beyond this machine: the demo accounts and channel keys are public; a deployment sets JWT_SECRET (or NODE_ENV=production)',
    );
  }
  if (config.demo) process.stdout.write(await demoBanner(models, config, url));
  if (config.demo) process.stdout.write(channelBanner(config, url, smtp?.port));
  sweep.start();
  notify.worker.start();
  void sweep.runNow(); // catch up at once after downtime rather than at the next minute
  const jobs = startBackgroundJobs({
    db,
    models,
    clock,
    logger,
    onIssueChange,
    classifier,
    wechatApi,
    wechatTokens,
  });

  stopOnSignals({ logger, server, realtime, qrLive, sweep, jobs, notify, smtp, classifier, db });
}

/**
 * The graceful shutdown on SIGTERM/SIGINT: no new connections, in-flight requests given DRAIN_MS to finish, then
 * every part stopped in turn, the outbox's writes before the database closes.
 */
function stopOnSignals({
  logger,
  server,
  realtime,
  qrLive,
  sweep,
  jobs,
  notify,
  smtp,
  classifier,
  db,
}: {
  logger: Logger;
  server: Server;
  realtime: Realtime;
  qrLive: QrLiveHub;
  sweep: SweepScheduler;
  jobs: { stop(): Promise<void> };
  notify: NotifyService;
  smtp: SmtpListener | undefined;
  classifier: ClassifierService;
  db: Database;
}): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    void realtime.close(); // disconnects the sockets (upgraded connections are not drained by the server)
    qrLive.close(); // ends the QR pages' event streams, which would otherwise hold the server open
    const force = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
    await closed;
    clearTimeout(force);
    await sweep.stop();
    await jobs.stop();
    // The outbox writes (and deliveries) of changes already committed finish before the database closes.
    await notify.notifier.idle();
    await notify.worker.stop();
    await smtp?.close();
    await classifier.stop();
    await db.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

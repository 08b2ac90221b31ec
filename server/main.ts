// Process entry point (`npm start`): load config, open the database (embedded when MONGODB_URI is unset),
// seed demo data into an empty demo database, serve, sweep escalations every minute, and shut down gracefully
// on SIGTERM/SIGINT.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createSimulatedClock, systemClock } from '../shared/clock.ts';
import { ROLE_LABELS } from '../shared/roles.ts';
import { createApp } from './app.ts';
import { createTokenSigner } from './auth/token.ts';
import { bootstrapAdmin } from './auth/bootstrap-admin.ts';
import { ConfigError, loadConfig, resolveJwtSecret, type Config } from './config.ts';
import { connectDatabase } from './db/connect.ts';
import { createSweepScheduler } from './jobs/scheduler.ts';
import { createLogger } from './logger.ts';
import { createModels, ensureIndexes, type Models } from './models/index.ts';
import { createRealtime } from './realtime/realtime.ts';
import { DEMO_PASSWORD, seedDemo } from './seed/index.ts';
import { createClassifierService } from './text/classifier.service.ts';

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
  ];
  return lines.filter((l, i) => l !== '' || lines[i - 1] !== '').join('\n') + '\n';
}

async function main(): Promise<void> {
  const config = await resolveJwtSecret(loadConfig());
  const logger = createLogger(config.logLevel);
  const simulatedClock = config.demoClock ? createSimulatedClock(systemClock.now()) : undefined;
  const clock = simulatedClock ?? systemClock;

  const db = await connectDatabase(config, logger, (code) => {
    logger.fatal({ code }, 'the embedded database stopped: stopping the server');
    process.exit(1);
  });
  const models = createModels(db.conn, clock);
  await ensureIndexes(models);
  if (config.demo) {
    if ((await models.User.countDocuments()) === 0) {
      logger.info('empty database: seeding demo data');
      const seeded = await seedDemo(models, clock);
      logger.info({ units: seeded.units.length, users: seeded.accounts.length }, 'demo data seeded');
    }
  } else {
    const admin = await bootstrapAdmin(models, config.adminUsername, config.adminPassword);
    if (admin) logger.info({ username: admin.username }, 'first admin created from ADMIN_USERNAME');
    else if (!(await models.User.exists({ role: 'admin' }))) {
      logger.warn(
        'no admin account: set ADMIN_USERNAME/ADMIN_PASSWORD or run `npm run create-admin -- <username>`',
      );
    }
  }

  // The escalation sweep runs on the business clock: simulated with DEMO_CLOCK=1, where moving the clock
  // sweeps at once.
  // Live workbench updates: the same JWT checks as the API (session expiry on the real clock, as in createApp).
  if (!config.jwtSecret) throw new Error('JWT secret not resolved');
  const realtime = createRealtime({
    models,
    logger,
    tokens: createTokenSigner(config.jwtSecret, config.jwtExpiresIn, systemClock),
  });
  const onIssueChange = realtime.onChange;
  const sweep = createSweepScheduler({ models, clock, logger, onChange: onIssueChange });
  const afterClockAdvance = simulatedClock ? () => sweep.runNow() : undefined;
  // The text classifier: the active model from the database (the first start trains one in a worker thread
  // while the keyword rules answer), retrained nightly and on demand.
  const classifier = createClassifierService({ models, clock, logger });
  await classifier.start();
  const app = createApp({
    config,
    conn: db.conn,
    clock,
    logger,
    models,
    simulatedClock,
    afterClockAdvance,
    onIssueChange,
    classifier,
  });
  const server = app.listen(config.port, config.host);
  realtime.attach(server);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${shownHost}:${port}`;
  logger.info({ url, demo: config.demo, embeddedDb: db.embedded }, 'server listening');
  if (config.demo) process.stdout.write(await demoBanner(models, config, url));
  sweep.start();
  void sweep.runNow(); // catch up at once after downtime rather than at the next minute

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    void realtime.close(); // disconnects the sockets (upgraded connections are not drained by the server)
    const force = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
    await closed;
    clearTimeout(force);
    await sweep.stop();
    await classifier.stop();
    await db.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
  } else {
    console.error('start-up failed:', err);
  }
  process.exit(1);
});

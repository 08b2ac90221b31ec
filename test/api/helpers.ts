// Shared API-test harness: ONE in-memory embedded database server per test run (reached, as the app reaches
// it in production, through its owner-only Unix socket), a fresh database per suite,
// an app built with createApp exactly as production does, the demo seed (with cheap password hashing), and
// cached logins for demo users.
//
//   describe('things', () => {
//     const t = useTestApp();                     // registers before/after hooks
//     it('lists', async () => {
//       await request(t.app).get('/api/units').set(await t.auth('clerk')).expect(200);
//     });
//   });
import type { Express } from 'express';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import { pino } from 'pino';
import request from 'supertest';
import { createSimulatedClock, type SimulatedClock } from '../../shared/clock.ts';
import { createApp, type AppDeps } from '../../server/app.ts';
import { signBody } from '../../server/channels/signature.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { startEmbeddedServer, type EmbeddedServer } from '../../server/db/embedded/server.ts';
import { createModels, ensureIndexes, type Models } from '../../server/models/index.ts';
import { DEMO_PASSWORD, seedDemo, type SeedSummary } from '../../server/seed/index.ts';
import { demoAccounts } from '../../server/seed/users.seed.ts';
import { UNITS } from '../../config/units.ts';

export { DEMO_PASSWORD };

/** Cheap scrypt for seeded test users (the cost is stored in each hash, so verification still works). */
export const TEST_HASH = Object.freeze({ N: 1024, r: 8, p: 1 });
export const TEST_JWT_SECRET = 'test-secret-0123456789-abcdefghijklmnop';
export const TEST_START = new Date('2026-03-02T01:00:00Z'); // Monday 09:00 China time

let dbServer: Promise<EmbeddedServer> | undefined;
let suiteCounter = 0;

let socketDir: string | undefined;

export function embeddedDb(): Promise<EmbeddedServer> {
  socketDir ??= mkdtempSync(path.join(os.tmpdir(), 'eil-db-'));
  dbServer ??= startEmbeddedServer({
    socketPath: path.join(socketDir, 'db.sock'),
    logger: pino({ level: 'silent' }),
  });
  return dbServer;
}

// Root-level hook (registered once, when this module is first loaded): stop the shared server after all suites.
after(async () => {
  if (dbServer) await (await dbServer).close();
  if (socketDir) rmSync(socketDir, { recursive: true, force: true });
});

export interface TestApp {
  app: Express;
  conn: Connection;
  models: Models;
  clock: SimulatedClock;
  config: Config;
  seed: SeedSummary | undefined;
  /** `{ Authorization: 'Bearer …' }` for a (demo) user, logging in once per suite. */
  auth(username: string, password?: string): Promise<Record<string, string>>;
  /** Logs in afresh (no cache) and returns the token. */
  login(username: string, password?: string): Promise<string>;
  /** Drops the cached token of a user (after logout/disable tests). */
  forget(username: string): void;
}

export interface TestAppOptions {
  /** Seed the demo data (default true). */
  seed?: boolean;
  /** Extra environment for loadConfig (e.g. DEMO_CLOCK: '1'). */
  env?: Record<string, string>;
  /** Also seed the ~320 demo issues (default false: slow, and suites make the issues they assert on). */
  issues?: boolean;
  /** More dependencies for createApp (e.g. loginLimits, notifications): given, or built once the models exist. */
  deps?:
    | Partial<AppDeps>
    | ((base: { models: Models; clock: SimulatedClock; config: Config }) => Partial<AppDeps>);
}

/**
 * Login limits as production has them, but with a millisecond progressive delay: suites that fail logins on
 * purpose would otherwise wait seconds (the delay itself is tested in test/api/security/login-limits.test.ts).
 */
export const TEST_LOGIN_LIMITS = Object.freeze({ baseDelayMs: 1, maxDelayMs: 4 });

export async function openTestDatabase(): Promise<Connection> {
  const server = await embeddedDb();
  suiteCounter += 1;
  const dbName = `eil_test_${process.pid}_${suiteCounter}_${Date.now().toString(36)}`;
  return mongoose.createConnection(server.uri, { dbName }).asPromise();
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    DEMO: '1',
    JWT_SECRET: TEST_JWT_SECRET,
    PUBLIC_BASE_URL: 'https://qy.example.test',
    LOG_LEVEL: 'silent',
    ...env,
  });
}

/** Registers before/after hooks in the current describe block and returns the suite's app (filled in `before`). */
export function useTestApp(options: TestAppOptions = {}): TestApp {
  const tokens = new Map<string, string>();
  const t = {} as TestApp;
  before(async function () {
    this.timeout(60_000);
    const conn = await openTestDatabase();
    const clock = createSimulatedClock(TEST_START);
    const config = testConfig(options.env);
    const models = createModels(conn, clock);
    await ensureIndexes(models);
    const seed =
      options.seed === false
        ? undefined
        : await seedDemo(models, clock, { hashParams: TEST_HASH, issues: options.issues ?? false });
    const logger = pino({ level: 'silent' });
    const given = options.deps;
    const extra = typeof given === 'function' ? given({ models, clock, config }) : (given ?? {});
    const app = createApp({
      config,
      conn,
      clock,
      logger,
      models,
      simulatedClock: clock,
      loginLimits: TEST_LOGIN_LIMITS,
      ...extra,
    });
    const login = async (username: string, password = DEMO_PASSWORD) => {
      const res = await request(app).post('/api/auth/login').send({ username, password });
      if (res.status !== 200)
        throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.token as string;
    };
    Object.assign(t, {
      app,
      conn,
      models,
      clock,
      config,
      seed,
      login,
      forget: (username: string) => tokens.delete(username),
      async auth(username: string, password?: string) {
        let token = tokens.get(username);
        if (!token) {
          token = await login(username, password);
          tokens.set(username, token);
        }
        return { Authorization: `Bearer ${token}` };
      },
    });
  });
  after(async () => {
    if (t.conn) {
      await t.conn.dropDatabase().catch(() => undefined);
      await t.conn.close();
    }
  });
  return t;
}

/** Another app over the suite's database, as a second server process behind the same load balancer. */
export function anotherApp(t: TestApp, deps: Partial<AppDeps> = {}): Express {
  const logger = pino({ level: 'silent' });
  return createApp({ config: t.config, conn: t.conn, clock: t.clock, logger, models: t.models, ...deps });
}

/** The first seeded unit of a level (optionally in a region). */
export function unitOf(t: TestApp, level: 'city' | 'county' | 'township', region?: string) {
  const unit = t.seed?.units.find((u) => u.level === level && (!region || u.region === region));
  if (!unit) throw new Error(`no seeded ${level} unit`);
  return unit;
}

/** Asserts a `{error:{code,message}}` body with the given status and code. */
/**
 * A superagent serializer that sends a Buffer body byte for byte (its typings say string; at run time it writes
 * whatever the serializer returns, and without one it would JSON-encode the Buffer).
 */
export const asRawBytes = ((raw: Buffer) => raw) as unknown as (body: unknown) => string;

export function expectError(res: request.Response, status: number, code: string): void {
  if (res.status !== status || res.body?.error?.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.body)}`);
  }
  if (typeof res.body.error.message !== 'string' || res.body.error.message.length === 0) {
    throw new Error('error message missing');
  }
}

/** The display name the demo seed gives a demo account (timelines show it instead of the username). */
export function demoNameOf(username: string): string {
  const account = demoAccounts(UNITS).find((a) => a.username === username);
  if (!account) throw new Error(`no demo account ${username}`);
  return account.name;
}

/** A 12345 work order pushed as the platform does: the raw JSON, signed now with the demo secret. */
export function postHotlineOrder(app: Express, raw: string): request.Test {
  const ts = Math.floor(Date.now() / 1000);
  return request(app)
    .post('/api/intake/hotline12345')
    .set('Content-Type', 'application/json')
    .set('X-Timestamp', String(ts))
    .set('X-Signature', signBody('demo-hotline12345-secret', ts, raw))
    .send(raw);
}

// Configuration is parsed once from the environment; bad values stop start-up naming the key.
import { expect } from 'chai';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, resolveJwtSecret } from '../../../server/config.ts';

const SECRET = 'x'.repeat(40);
const PROD = { MONGODB_URI: 'mongodb://db.example:27017/eil', JWT_SECRET: SECRET };

function failsOn(env: Record<string, string>, key: string) {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).key).to.equal(key);
    expect((err as Error).message).to.contain(key);
    return;
  }
  expect.fail(`expected a ConfigError for ${key}`);
}

describe('config: loadConfig', () => {
  it('runs a fresh clone with no environment at all, in demo mode on the embedded database', () => {
    const c = loadConfig({});
    expect(c.demo).to.equal(true);
    expect(c.mongodbUri).to.equal(undefined);
    expect(c.port).to.equal(3000);
    expect(c.host).to.equal('127.0.0.1');
    expect(c.dataDir).to.equal(path.resolve('./data'));
    expect(c.publicBaseUrl).to.equal('http://127.0.0.1:3000');
    expect(c.logLevel).to.equal('info');
    expect(c.demoClock).to.equal(false);
    expect(c.jwtSecret).to.equal(undefined);
    expect(c.jwtExpiresIn).to.equal('12h');
  });

  it('returns a frozen object', () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c)).to.equal(true);
  });

  it('is not demo mode with a real MongoDB, and then requires JWT_SECRET', () => {
    failsOn({ MONGODB_URI: PROD.MONGODB_URI }, 'JWT_SECRET');
    const c = loadConfig(PROD);
    expect(c.demo).to.equal(false);
    expect(c.host).to.equal('0.0.0.0');
    expect(c.publicBaseUrl).to.equal('http://localhost:3000');
    expect(c.jwtSecret).to.equal(SECRET);
  });

  it('is not demo mode on the embedded database once a deployment sets JWT_SECRET or PUBLIC_BASE_URL', () => {
    expect(loadConfig({ JWT_SECRET: SECRET }).demo).to.equal(false);
    expect(loadConfig({ JWT_SECRET: SECRET, PUBLIC_BASE_URL: 'https://qy.huzhou.example' }).demo).to.equal(
      false,
    );
    failsOn({ PUBLIC_BASE_URL: 'https://qy.huzhou.example' }, 'JWT_SECRET');
    expect(loadConfig({ JWT_SECRET: SECRET, DEMO: '1' }).demo).to.equal(true);
  });

  it('is not demo mode under NODE_ENV=production (a container that sets nothing else refuses to start)', () => {
    failsOn({ NODE_ENV: 'production' }, 'JWT_SECRET');
    failsOn({ NODE_ENV: 'production', HOST: '0.0.0.0' }, 'JWT_SECRET');
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET }).demo).to.equal(false);
    expect(loadConfig({ NODE_ENV: 'production', DEMO: '1' }).demo).to.equal(true);
    expect(loadConfig({ NODE_ENV: 'development' }).demo).to.equal(true);
  });

  it('DEMO=0 turns demo mode off even on the embedded database; DEMO=1 forces it on', () => {
    failsOn({ DEMO: '0' }, 'JWT_SECRET');
    expect(loadConfig({ DEMO: '0', JWT_SECRET: SECRET }).demo).to.equal(false);
    expect(loadConfig({ ...PROD, DEMO: '1' }).demo).to.equal(true);
  });

  it('parses every override', () => {
    const c = loadConfig({
      ...PROD,
      PORT: '8080',
      HOST: '10.0.0.5',
      DATA_DIR: '/var/lib/eil',
      PUBLIC_BASE_URL: 'https://qy.huzhou.example/',
      LOG_LEVEL: 'warn',
      DEMO_CLOCK: '1',
      TRUST_PROXY: '1',
      JWT_EXPIRES_IN: '8h',
      ADMIN_USERNAME: 'root',
      ADMIN_PASSWORD: 'a-long-password',
      EMBEDDED_DB_HEAP_MB: '8192',
      EMBEDDED_DB_YOUNG_MB: '96',
    });
    expect(c).to.include({
      port: 8080,
      host: '10.0.0.5',
      dataDir: '/var/lib/eil',
      publicBaseUrl: 'https://qy.huzhou.example',
      logLevel: 'warn',
      demoClock: true,
      trustProxy: 1,
      jwtExpiresIn: '8h',
      adminUsername: 'root',
      adminPassword: 'a-long-password',
      embeddedDbHeapMb: 8192,
      embeddedDbYoungMb: 96,
    });
  });

  it('DEMO_CLOCK_AT starts the simulated clock at that instant (and turns it on)', () => {
    const c = loadConfig({ ...PROD, DEMO_CLOCK_AT: '2026-11-30T08:25:00.000Z' });
    expect(c.demoClock).to.equal(true);
    expect(c.demoClockAt?.toISOString()).to.equal('2026-11-30T08:25:00.000Z');
    expect(
      loadConfig({ ...PROD, DEMO_CLOCK_AT: '2026-11-30T16:25:00+08:00' }).demoClockAt?.getTime(),
    ).to.equal(Date.parse('2026-11-30T08:25:00Z'));
    expect(loadConfig(PROD).demoClockAt).to.equal(undefined);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', MONGODB_URI: ' ' }).port).to.equal(3000);
  });

  it('names the key of a bad value', () => {
    failsOn({ PORT: 'eighty' }, 'PORT');
    failsOn({ PORT: '70000' }, 'PORT');
    failsOn({ MONGODB_URI: 'postgres://x' }, 'MONGODB_URI');
    failsOn({ PUBLIC_BASE_URL: 'not a url' }, 'PUBLIC_BASE_URL');
    failsOn({ PUBLIC_BASE_URL: 'ftp://files.example' }, 'PUBLIC_BASE_URL');
    failsOn({ LOG_LEVEL: 'loud' }, 'LOG_LEVEL');
    failsOn({ DEMO_CLOCK: 'yes' }, 'DEMO_CLOCK');
    failsOn({ DEMO_CLOCK_AT: 'yesterday' }, 'DEMO_CLOCK_AT');
    failsOn({ JWT_SECRET: 'short' }, 'JWT_SECRET');
    failsOn({ EMBEDDED_DB_YOUNG_MB: '4' }, 'EMBEDDED_DB_YOUNG_MB');
    failsOn({ EMBEDDED_DB_YOUNG_MB: 'big' }, 'EMBEDDED_DB_YOUNG_MB');
    failsOn({ JWT_EXPIRES_IN: 'forever' }, 'JWT_EXPIRES_IN');
    failsOn({ ADMIN_USERNAME: 'Root User', ADMIN_PASSWORD: 'a-long-password' }, 'ADMIN_USERNAME');
  });

  it('requires ADMIN_USERNAME and ADMIN_PASSWORD together', () => {
    failsOn({ ADMIN_USERNAME: 'root' }, 'ADMIN_PASSWORD');
    failsOn({ ADMIN_PASSWORD: 'a-long-password' }, 'ADMIN_USERNAME');
    failsOn({ ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD');
  });
});

describe('config: demo JWT secret', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'eil-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('generates a random secret in demo mode, persists it owner-only, and reuses it after a restart', async () => {
    const first = await resolveJwtSecret(loadConfig({ DATA_DIR: dir }));
    expect(first.jwtSecret).to.be.a('string').with.length.greaterThan(31);
    const file = path.join(dir, 'jwt-secret');
    expect((await readFile(file, 'utf8')).trim()).to.equal(first.jwtSecret);
    expect((await stat(file)).mode & 0o077).to.equal(0);
    const second = await resolveJwtSecret(loadConfig({ DATA_DIR: dir }));
    expect(second.jwtSecret).to.equal(first.jwtSecret);
    expect(Object.isFrozen(second)).to.equal(true);
  });

  it('keeps an explicit JWT_SECRET and writes nothing', async () => {
    const c = await resolveJwtSecret(loadConfig({ DATA_DIR: dir, JWT_SECRET: SECRET }));
    expect(c.jwtSecret).to.equal(SECRET);
    let exists = true;
    await stat(path.join(dir, 'jwt-secret')).catch(() => (exists = false));
    expect(exists).to.equal(false);
  });
});

// Harness for the QR-page suites: an app over the in-memory embedded database (demo seed, no demo issues)
// with a fake SMS sender that captures codes, the simulated clock also driving code and session expiry, and
// helpers that act like a phone's browser (cookies per agent, CSRF tokens read from the served forms) or
// like staff moving an issue through its lifecycle.
import { createHash } from 'node:crypto';
import type { Express } from 'express';
import type { Connection } from 'mongoose';
import { pino } from 'pino';
import request from 'supertest';
import { createSimulatedClock, type SimulatedClock } from '../../shared/clock.ts';
import { createApp } from '../../server/app.ts';
import { createModels, ensureIndexes, type EnterpriseDoc, type Models } from '../../server/models/index.ts';
import type { SmsSender } from '../../server/notify/sms.ts';
import type { ClassifierService } from '../../server/text/classifier.service.ts';
import type { QrPageLimits } from '../../server/routes/public/qr-page.security.ts';
import { DEMO_PASSWORD, seedDemo, type SeedSummary } from '../../server/seed/index.ts';
import { openTestDatabase, TEST_HASH, TEST_START, testConfig } from './helpers.ts';

export interface FakeSms extends SmsSender {
  sent: { mobile: string; text: string }[];
  /** The six-digit code of the last message. */
  lastCode(): string;
}

export function fakeSms(): FakeSms {
  const sent: { mobile: string; text: string }[] = [];
  return {
    sent,
    async send(mobile, text) {
      sent.push({ mobile, text });
    },
    lastCode() {
      const m = /\d{6}/.exec(sent.at(-1)?.text ?? '');
      if (!m) throw new Error('no code sent');
      return m[0];
    },
  };
}

export interface QrTestApp {
  app: Express;
  conn: Connection;
  models: Models;
  clock: SimulatedClock;
  seed: SeedSummary;
  sms: FakeSms;
  auth(username: string): Promise<Record<string, string>>;
  /** The nth seeded enterprise, fresh from the database (its current QR token). */
  enterprise(nth: number): Promise<EnterpriseDoc>;
}

/**
 * The QR page's suites browse it over plain http (supertest), so its public address is http here: an https one
 * makes its cookies Secure, which an http client does not send back.
 */
const qrConfig = (env: Record<string, string> = {}) =>
  testConfig({ PUBLIC_BASE_URL: 'http://qy.example.test', ...env });

export interface QrTestOptions {
  limits?: Partial<QrPageLimits>;
  env?: Record<string, string>;
  /** The app's text classifier over the suite's models (the app's default otherwise: no trained model). */
  classifier?: (models: Models, clock: SimulatedClock) => Promise<ClassifierService>;
}

/** Limits high enough that suites not about rate limiting never hit them. */
const RELAXED: Partial<QrPageLimits> = {
  sendPerEnterpriseHour: 1000,
  sendPerEnterpriseDay: 1000,
  sendPerIp: 1000,
  sendPerKnownBrowserDay: 1000,
  verifyPerToken: 1000,
  verifyPerIp: 1000,
  verifyPerKnownBrowserDay: 1000,
  submitPerEnterprise: 1000,
};

export function useQrApp(options: QrTestOptions = {}): QrTestApp {
  const t = {} as QrTestApp;
  const tokens = new Map<string, string>();
  before(async function () {
    this.timeout(60_000);
    const conn = await openTestDatabase();
    const clock = createSimulatedClock(TEST_START);
    const models = createModels(conn, clock);
    await ensureIndexes(models);
    const seed = await seedDemo(models, clock, { hashParams: TEST_HASH, issues: false });
    const sms = fakeSms();
    const classifier = await options.classifier?.(models, clock);
    const app = createApp({
      ...(classifier ? { classifier } : {}),
      config: qrConfig(options.env),
      conn,
      clock,
      authClock: clock,
      logger: pino({ level: 'silent' }),
      models,
      sms,
      qrLimits: { ...RELAXED, ...options.limits },
      // Without the staff app, whether or not web/dist was built: a page's stray request (an icon) then fails
      // here as it does on a fresh clone, instead of getting the app's index.html.
      webDist: '/nonexistent-web-dist',
    });
    Object.assign(t, {
      app,
      conn,
      models,
      clock,
      seed,
      sms,
      async auth(username: string) {
        let token = tokens.get(username);
        if (!token) {
          const res = await request(app).post('/api/auth/login').send({ username, password: DEMO_PASSWORD });
          token = res.body.token as string;
          tokens.set(username, token);
        }
        return { Authorization: `Bearer ${token}` };
      },
      async enterprise(nth: number) {
        const id = seed.enterprises[nth]._id;
        const doc = await models.Enterprise.findById(id).lean<EnterpriseDoc>();
        if (!doc) throw new Error('enterprise vanished');
        return doc;
      },
    });
  });
  after(async () => {
    await t.conn?.dropDatabase().catch(() => undefined);
    await t.conn?.close();
  });
  return t;
}

/** A second app process over the same database (its own in-memory state, e.g. rate-limit fallbacks). */
export function anotherQrApp(t: QrTestApp, options: QrTestOptions = {}): Express {
  return createApp({
    config: qrConfig(options.env),
    conn: t.conn,
    clock: t.clock,
    authClock: t.clock,
    logger: pino({ level: 'silent' }),
    models: t.models,
    sms: t.sms,
    qrLimits: { ...RELAXED, ...options.limits },
  });
}

export const pageOf = (e: Pick<EnterpriseDoc, 'qrToken'>) => `/e/${e.qrToken}`;

export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token on the page');
  return m[1];
}

/** A browser: its own cookie jar. */
export const browser = (t: QrTestApp) => request.agent(t.app);
export type Browser = ReturnType<typeof browser>;

/** A fresh phone (optionally behind a given client address) with the verify form open, and the form's token. */
export async function openVerify(t: QrTestApp, e: EnterpriseDoc, ip?: string) {
  const b = browser(t);
  const get = b.get(`${pageOf(e)}/verify`);
  if (ip) get.set('X-Forwarded-For', ip);
  const csrf = csrfOf((await get.expect(200)).text);
  return { b, csrf };
}

/** Staff (a clerk) set the enterprise's PIN. */
export async function setOwnerPin(t: QrTestApp, e: EnterpriseDoc, pin: string): Promise<void> {
  await request(t.app)
    .put(`/api/enterprises/${String(e._id)}/pin`)
    .set(await t.auth('clerk'))
    .send({ pin })
    .expect(200);
}

/** Opens the verification page and asks for a code; returns the form's CSRF token. */
export async function requestCode(t: QrTestApp, b: Browser, e: EnterpriseDoc): Promise<string> {
  const page = await b.get(`${pageOf(e)}/verify`).expect(200);
  const csrf = csrfOf(page.text);
  await b
    .post(`${pageOf(e)}/code`)
    .type('form')
    .send({ _csrf: csrf })
    .expect(303);
  return csrf;
}

export function submitCode(b: Browser, e: EnterpriseDoc, csrf: string, code: string) {
  return b
    .post(`${pageOf(e)}/verify-code`)
    .type('form')
    .send({ _csrf: csrf, code });
}

/** Verifies by SMS code; returns the session's CSRF token (from the owner page) and its cookie. */
export async function verifySession(t: QrTestApp, b: Browser, e: EnterpriseDoc) {
  const csrf = await requestCode(t, b, e);
  const res = await submitCode(b, e, csrf, t.sms.lastCode()).expect(303);
  const setCookie = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
  const cookie = setCookie.find((c) => c.startsWith('eq_owner='))?.split(';')[0];
  if (!cookie) throw new Error('no session cookie');
  // The next code for this enterprise may be sent a minute later.
  t.clock.advance(61_000);
  const page = await b.get(pageOf(e)).expect(200);
  return { csrf: csrfOf(page.text), cookie };
}

export async function verifyOwner(t: QrTestApp, b: Browser, e: EnterpriseDoc): Promise<string> {
  return (await verifySession(t, b, e)).csrf;
}

const CITY_UNIT = 'city-drc';

async function must(t: QrTestApp, as: string, id: string, action: string, body: object = {}) {
  const res = await request(t.app)
    .post(`/api/issues/${id}/actions/${action}`)
    .set(await t.auth(as))
    .send(body);
  if (res.status !== 200) throw new Error(`${action}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export interface IssueText {
  title?: string;
  content?: string;
}

/** An issue of the enterprise, dispatched to a city department and signed for (in_progress). */
export async function issueInProgress(t: QrTestApp, e: EnterpriseDoc, text: IssueText = {}): Promise<string> {
  const res = await request(t.app)
    .post('/api/issues')
    .set(await t.auth('dispatcher'))
    .send({
      enterprise: { id: String(e._id) },
      channel: 'window',
      urgency: 'normal',
      content: text.content ?? '企业负责人来电，反映补贴方面的事情，希望约时间面谈。',
      ...(text.title ? { title: text.title } : {}),
    });
  if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
  const id = res.body.id as string;
  const drc = t.seed.units.find((u) => u.code === CITY_UNIT)!;
  let unitId = res.body.unitId as string | null;
  if (res.body.state === 'received') {
    await must(t, 'dispatcher', id, 'dispatch', { unitId: String(drc._id) });
    unitId = String(drc._id);
  }
  const unit = t.seed.units.find((u) => String(u._id) === unitId)!;
  await must(t, `handler-${unit.code}`, id, 'sign');
  return id;
}

/** The username of a handler in the issue's lead unit. */
export async function handlerOf(t: QrTestApp, id: string): Promise<string> {
  const issue = await staffIssue(t, id);
  const unit = t.seed.units.find((u) => String(u._id) === issue.unitId)!;
  return `handler-${unit.code}`;
}

/** An issue replied to and verified by the centre: awaiting the enterprise's rating. */
export async function issueAwaitingRating(t: QrTestApp, e: EnterpriseDoc, text: IssueText = {}) {
  const id = await issueInProgress(t, e, text);
  await must(t, await handlerOf(t, id), id, 'reply', { text: '已协调落实补贴发放，请企业查收。' });
  await must(t, 'dispatcher', id, 'verify');
  return id;
}

export { must as staffAction };

export async function staffIssue(t: QrTestApp, id: string) {
  const res = await request(t.app)
    .get(`/api/issues/${id}`)
    .set(await t.auth('dispatcher'));
  if (res.status !== 200) throw new Error(`get: ${res.status}`);
  return res.body;
}

/**
 * The page's inline <style> and <script> elements, each with whether the response's CSP allows it: a browser
 * runs inline code only when its SHA-256 (of the element's exact text) is among the policy's sources.
 */
export function inlineElements(res: { text: string; headers: Record<string, string> }) {
  const csp = res.headers['content-security-policy'] ?? '';
  const sources = (directive: string) =>
    (new RegExp(`(?:^|;)\\s*${directive} ([^;]*)`).exec(csp)?.[1] ?? '').split(' ');
  const allowed = { style: sources('style-src'), script: sources('script-src') };
  return [...res.text.matchAll(/<(style|script)([^>]*)>([\s\S]*?)<\/\1>/gi)].map((m) => {
    const kind = m[1].toLowerCase() as 'style' | 'script';
    const hash = `'sha256-${createHash('sha256').update(m[3]).digest('base64')}'`;
    return { kind, attributes: m[2], text: m[3], allowed: allowed[kind].includes(hash) };
  });
}

// Harness for the staff app in real Chromium: the web app is built with Vite ONCE per test run (shared by
// every e2e file), and each suite gets its own app over a fresh in-memory embedded database with the demo seed
// (issues included), the realtime socket attached, Chromium, and helpers that drive the UI the way staff do
// (log in, pick from an Element Plus select, run axe-core, take screenshots at desktop and phone size).
//
// Set E2E_SCREENSHOTS=/some/dir to keep a screenshot of every screen.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Connection } from 'mongoose';
import { pino } from 'pino';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { createSimulatedClock, type SimulatedClock } from '../../shared/clock.ts';
import { createApp } from '../../server/app.ts';
import { createTokenSigner } from '../../server/auth/token.ts';
import { createModels, ensureIndexes, type Models } from '../../server/models/index.ts';
import { createRealtime, type Realtime } from '../../server/realtime/realtime.ts';
import { DEMO_PASSWORD, seedDemo, type SeedSummary } from '../../server/seed/index.ts';
import { openTestDatabase, TEST_HASH, TEST_START, testConfig } from '../api/helpers.ts';
import { launchChromium } from './browser.ts';

export { DEMO_PASSWORD };

const WEB_ROOT = fileURLToPath(new URL('../../web', import.meta.url));
const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
export const DESKTOP = { width: 1366, height: 900 } as const;
export const PHONE = { width: 390, height: 844 } as const;

let built: Promise<string> | undefined;
/**
 * The production build of web/, made once per run into a temporary directory. It runs in a child process:
 * built inside this (mocha) process, Vite 8's native import analysis left the lazy routes' CSS preloads out
 * depending on what the process had loaded before, so screens came up without their styles.
 */
function webDist(): Promise<string> {
  built ??= (async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'eil-web-'));
    const vite = path.join(
      path.dirname(createRequire(import.meta.url).resolve('vite/package.json')),
      'bin/vite.js',
    );
    await promisify(execFile)(process.execPath, [
      vite,
      'build',
      WEB_ROOT,
      '--outDir',
      dir,
      '--emptyOutDir',
      '--logLevel',
      'error',
    ]);
    after(() => rm(dir, { recursive: true, force: true }));
    return dir;
  })();
  return built;
}

export interface StaffApp {
  baseUrl: string;
  clock: SimulatedClock;
  seed: SeedSummary;
  models: Models;
  browser: Browser;
  /** A fresh browser context (its own cookies and storage) with one page; page errors fail loudly. */
  open(viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }>;
  /** A request as a demo user, outside the browser; returns the parsed JSON answer. */
  apiAs(username: string, method: string, urlPath: string, body?: unknown): Promise<any>;
}

/** `demoClock`: the app runs as with DEMO_CLOCK=1 (the admin's 演示时钟 moves the suite's clock). */
export function useStaffApp(options: { demoClock?: boolean } = {}): StaffApp {
  let conn: Connection;
  let server: Server;
  let realtime: Realtime;
  const tokens = new Map<string, string>();
  const t = {} as StaffApp;

  before(async function () {
    this.timeout(180_000);
    const dist = await webDist();
    conn = await openTestDatabase();
    t.clock = createSimulatedClock(TEST_START);
    t.models = createModels(conn, t.clock);
    await ensureIndexes(t.models);
    // Units, staff and enterprises only: each suite makes the issues it asserts on (and seeding 320 issues is slow).
    t.seed = await seedDemo(t.models, t.clock, { hashParams: TEST_HASH, issues: false });
    const config = testConfig(options.demoClock ? { DEMO_CLOCK: '1' } : {});
    realtime = createRealtime({
      models: t.models,
      tokens: createTokenSigner(config.jwtSecret!, config.jwtExpiresIn, t.clock),
      logger: pino({ level: 'silent' }),
    });
    const app = createApp({
      config,
      conn,
      clock: t.clock,
      ...(options.demoClock ? { simulatedClock: t.clock } : {}),
      logger: pino({ level: 'silent' }),
      models: t.models,
      webDist: dist,
      onIssueChange: realtime.onChange,
    });
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    realtime.attach(server);
    t.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    t.browser = await launchChromium();
    if (process.env.E2E_SCREENSHOTS) await mkdir(process.env.E2E_SCREENSHOTS, { recursive: true });
  });

  after(async () => {
    await t.browser?.close();
    await realtime?.close();
    if (server) await new Promise((resolve) => server.close(resolve));
    if (conn) {
      await conn.dropDatabase().catch(() => undefined);
      await conn.close();
    }
  });

  t.open = async (viewport = DESKTOP) => {
    const context = await t.browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    page.on('pageerror', (err) => {
      throw new Error(`page error: ${err.message}`);
    });
    return { context, page };
  };

  const apiAs = async (
    username: string,
    method: string,
    urlPath: string,
    body: unknown,
    retried: boolean,
  ): Promise<any> => {
    let token = tokens.get(username);
    if (!token) {
      const res = await fetch(`${t.baseUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username, password: DEMO_PASSWORD }),
      });
      token = ((await res.json()) as { token: string }).token;
      tokens.set(username, token);
    }
    const res = await fetch(t.baseUrl + urlPath, {
      method,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    // A cached token dies when a test logs the user out or moves the clock past its expiry: sign in again once.
    if (res.status === 401 && !retried) {
      tokens.delete(username);
      return apiAs(username, method, urlPath, body, true);
    }
    expect(res.status, text).to.be.lessThan(300);
    return text ? JSON.parse(text) : undefined;
  };
  t.apiAs = (username, method, urlPath, body) => apiAs(username, method, urlPath, body, false);
  return t;
}

/**
 * Signs in through the login page and waits for the answer, and after a success for the app to leave the page:
 * a test that navigates at once would otherwise abort the login still in flight on a busy machine (then the
 * next page finds no session and shows the login form).
 */
export async function login(page: Page, baseUrl: string, username: string, password = DEMO_PASSWORD) {
  await page.goto(baseUrl + '/login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码', { exact: true }).fill(password);
  const answered = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/auth/login',
  );
  await page.getByRole('button', { name: '登录' }).click();
  if ((await answered).ok()) await page.waitForURL((url) => url.pathname !== '/login');
}

/** Chooses an option of an Element Plus select (opened by its accessible label, within `scope` if given). */
export async function choose(
  page: Page,
  label: string,
  option: string | RegExp,
  scope: Page | Locator = page,
) {
  const box = scope.getByRole('combobox', { name: label, exact: true });
  // The select itself, which shows the choice (its label, or a tag when it takes several). It is what gets
  // clicked: a non-filterable select's input sits under its placeholder, and clicking the control waits for
  // it to stand still (a dialog still opening moves it).
  const select = box.locator('xpath=ancestor::div[contains(concat(" ", @class, " "), " el-select ")][1]');
  const item = page
    .locator('.el-select-dropdown:visible .el-select-dropdown__item')
    .filter({ hasText: option })
    .first();
  // On a loaded machine a click can still land while a dialog or dropdown is moving and choose nothing (a
  // routing rule saved without its region), or the dropdown can close under it as the dialog takes the focus;
  // the select must show the choice, so it is tried up to three times, and then the failure names the select.
  for (let attempt = 1; ; attempt++) {
    try {
      await select.click();
      await item.click({ timeout: 5_000 });
      await select.filter({ hasText: option }).waitFor({ timeout: 5_000 });
      return;
    } catch (err) {
      if (attempt === 3)
        throw new Error(`choose: 「${label}」 does not show ${String(option)}`, { cause: err });
    }
  }
}

/** axe-core on the current page: serious and critical findings, described for the failure message. */
export async function axeFindings(page: Page): Promise<string[]> {
  // Evaluated through the devtools protocol, so the app's CSP (script-src 'self') does not block it.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(await readFile(AXE_PATH, 'utf8'));
  // Checks what the user reads once things settle: a toast or dialog still fading in has not reached its
  // colours yet (finite transitions only; spinners run forever; capped at 2 s).
  await page.evaluate(() =>
    Promise.race([
      Promise.all(
        document
          .getAnimations()
          .filter((a) => Number.isFinite(Number(a.effect?.getComputedTiming().endTime)))
          .map((a) => a.finished.catch(() => undefined)),
      ),
      new Promise((resolve) => setTimeout(resolve, 2_000)),
    ]),
  );
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<any> } }).axe;
    const res = await axe.run(document, { resultTypes: ['violations'] });
    // A toast that began to fade out while axe ran was read at part opacity: a node that is now leaving
    // (Vue's *-leave-* transition classes) or already gone is not what the user reads, so it does not count.
    // (Written inline: a named helper would be wrapped in tsx's __name, which the page does not have.)
    type Violation = { id: string; impact: string; help: string; nodes: { target: string[] }[] };
    return (res.violations as Violation[])
      .map((v) => ({
        ...v,
        nodes: v.nodes.filter((n) => {
          if (n.target.length !== 1) return true;
          const el = document.querySelector(n.target[0]!);
          return el !== null && el.closest('[class*="-leave-"]') === null;
        }),
      }))
      .filter((v) => v.nodes.length > 0);
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} (${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(', ')})`,
    );
}

/** Screenshots of the page at desktop and phone width (when E2E_SCREENSHOTS is set). */
export async function snap(page: Page, name: string, phoneToo = true) {
  const dir = process.env.E2E_SCREENSHOTS;
  if (!dir) return;
  const size = page.viewportSize() ?? DESKTOP;
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
  if (!phoneToo || size.width <= PHONE.width) return;
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(150);
  await page.screenshot({ path: path.join(dir, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(size);
}

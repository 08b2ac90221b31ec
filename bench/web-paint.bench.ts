/**
 * First meaningful paint of the staff app's 工作台 (issue 9: under 2 s on this machine): a handler already
 * signed in (the refresh cookie) opens the app in a fresh browser context — no cache — and the time is taken
 * from navigation start until the to-do counts are on screen (the session restored, the workbench's API call
 * answered, the tiles rendered). Baseline in the same run: the first contentful paint of a static page of the
 * same server, also in a fresh context. Medians of RUNS loads, alternating.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium } from '../test/e2e/browser.ts';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from './lib/app/app-process.ts';
import { sizes, withApp } from './lib/app/app-session.ts';
import { note, report } from './lib/report.ts';

const RUNS = 7;
const WEB_DIST = path.join(REPO_ROOT, 'web', 'dist');

if (!existsSync(path.join(WEB_DIST, 'index.html'))) {
  note('web/dist is missing: building the staff app (npm run build)');
  spawnSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'ignore' });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Milliseconds from navigation start until `ready` (a selector) is on screen in a fresh context carrying `state`'s cookies. */
async function timeLoad(
  browser: Browser,
  state: Awaited<ReturnType<BrowserContext['storageState']>> | undefined,
  url: string,
  ready: string,
): Promise<number> {
  const context = await browser.newContext({ storageState: state });
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'commit' });
    await page.locator(ready).first().waitFor({ timeout: 30_000 });
    return await page.evaluate(() => performance.now());
  } finally {
    await context.close();
  }
}

for (const size of sizes()) {
  await withApp('staff app first paint', size, async (s) => {
    const username = s.manifest.samples.handlerUsername;
    if (!username) throw new Error('the data set names no handler');
    const file = `bench-paint-${process.pid}.html`;
    await writeFile(
      path.join(WEB_DIST, file),
      '<!doctype html><html lang="zh"><meta charset="utf-8"><title>static</title><body><h1>工作台</h1></body></html>\n',
    );
    const browser = await launchChromium();
    try {
      const login = await browser.newContext();
      const page = await login.newPage();
      await page.goto(`${s.app.baseUrl}/login`);
      await page.getByLabel('用户名').fill(username);
      await page.getByLabel('密码', { exact: true }).fill('demo1234');
      await page.getByRole('button', { name: '登录' }).click();
      await page.locator('[data-queue] .count').first().waitFor({ timeout: 30_000 });
      const state = await login.storageState();
      await login.close();

      const app: number[] = [];
      const plain: number[] = [];
      for (let k = 0; k < RUNS; k++) {
        plain.push(await timeLoad(browser, undefined, `${s.app.baseUrl}/${file}`, 'h1'));
        app.push(await timeLoad(browser, state, `${s.app.baseUrl}/`, '[data-queue] .count'));
      }
      note(`${RUNS} loads each, fresh browser context (no cache), handler ${username}`);
      report({
        name: '工作台 first meaningful paint (median)',
        value: median(app),
        unit: 'ms',
        baseline: { name: 'static page paint', value: median(plain) },
        target: '< 2,000 ms',
      });
    } finally {
      await browser.close();
      await rm(path.join(WEB_DIST, file), { force: true });
    }
  });
}

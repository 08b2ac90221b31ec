/**
 * `node --import tsx scripts/attack.ts`: a re-runnable black-box attack on the product as `npm start` runs it
 * (issue 10's probes, repeated, plus the routes added since). It starts the app on a fresh temporary DATA_DIR
 * (demo mode, 127.0.0.1, ephemeral port, no SMTP), attacks it over HTTP only, prints each probe's outcome and
 * every finding, and exits 1 if anything was found. Bounded: about two thousand requests, light on a shared
 * machine. `--keep` leaves the data directory for inspection. The probes live in `scripts/attack/`, one module
 * per thing attacked; this file parses the arguments, starts the app, runs them in order and sums up.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ACTORS, probeAuthorisation } from './attack/authorisation.ts';
import { probeBadInput } from './attack/bad-input.ts';
import { call, findings, login, startApp, stopApp, tally, type App } from './attack/harness.ts';
import { probeAccountLockout, probeLogin } from './attack/login.ts';
import { creditCodes, probeLoginFlood, probeSlowClients } from './attack/pressure.ts';
import { probeKill, probeTwoProcesses } from './attack/processes.ts';
import { firstQrCode, probeQrPage } from './attack/qr-page.ts';
import { ROUTES } from './attack/routes.ts';
import { probeSockets } from './attack/sockets.ts';
import { probeAnonymous, probeInfrastructure } from './attack/surface.ts';

const keep = process.argv.includes('--keep');
const onlyTwo = process.argv.includes('--two-processes-only');
const onlyKill = process.argv.includes('--kill-only');
const onlyFlood = process.argv.includes('--flood-only');
const onlySlow = process.argv.includes('--slow-only');
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'eil-attack-'));
const started = Date.now();
console.log(`starting the app on ${dataDir} (demo seed; a minute or two on a busy machine)`);
let app = onlyTwo ? undefined : await startApp(dataDir);
try {
  if (app && onlyKill) {
    app = await probeKill(app);
  } else if (app && (onlyFlood || onlySlow)) {
    const admin = await login(app.base, 'admin');
    if (onlyFlood)
      await probeLoginFlood(app, await login(app.base, 'clerk'), await creditCodes(app, admin), ACTORS);
    if (onlySlow) await probeSlowClients(app, 'dispatcher', (await firstQrCode(app, admin)).token);
  } else {
    if (app) app = await attackOne(app);
    await probeTwoProcesses();
  }
} finally {
  if (app) await stopApp(app);
  if (!keep) await rm(dataDir, { recursive: true, force: true });
}
console.log(
  `\n${tally.requests} requests in ${((Date.now() - started) / 1000).toFixed(0)} s; ${findings.length} findings`,
);
for (const f of findings) console.log(`- ${f}`);
process.exitCode = findings.length ? 1 : 0;

/** Every probe against one app process; returns the process running at the end (kill -9 restarts it). */
async function attackOne(app: App): Promise<App> {
  const tokens: Record<string, string> = {};
  for (const actor of ACTORS) tokens[actor] = await login(app.base, actor);
  const issues = await call(app.base, 'GET', '/api/issues?limit=100', { token: tokens.dispatcher });
  const handlerSees = await call(app.base, 'GET', '/api/issues?limit=100', {
    token: tokens['handler-anji-dipu'],
  });
  const seen = new Set((handlerSees.json?.items ?? []).map((i: { id: string }) => i.id));
  const foreign = (issues.json?.items ?? [])
    .map((i: { id: string }) => i.id)
    .find((id: string) => !seen.has(id));
  const ids: Record<string, string> = {};
  if (issues.json?.items?.[0])
    for (const [, r] of ROUTES) if (r.startsWith('/api/issues/:id')) ids[r] = issues.json.items[0].id;

  await probeInfrastructure(app);
  await probeAnonymous(app);
  await probeAuthorisation(app, tokens);
  await probeBadInput(app, tokens.admin, ids);
  await probeQrPage(app, tokens.admin);
  await probeSockets(app, tokens, foreign);
  await probeLoginFlood(app, tokens.clerk, await creditCodes(app, tokens.admin), ACTORS);
  await probeLogin(app);
  await probeAccountLockout(app);
  await probeSlowClients(app, 'dispatcher', (await firstQrCode(app, tokens.admin)).token);
  return probeKill(app);
}

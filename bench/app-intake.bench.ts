/**
 * Intake through `POST /api/issues` (as `dispatcher`, random enterprises of the data set by credit code,
 * varied realistic content, category and urgency given by staff or left to the classifier) at concurrency 1, 8
 * and 32, against a bare Express 5 JSON echo app in its own process at the same concurrency. Runs on a copy of
 * the data set (every request creates an issue). Targets at 1,000,000: ≥ 1,000 issues/s and ≥ 40 % of the
 * echo's rate at concurrency 8, p99 < 50 ms.
 */
import { CATEGORY_IDS, URGENCIES } from '../shared/states.ts';
import { createRng } from '../server/seed/prng.ts';
import { startEcho, type ChildServer } from './lib/app/app-process.ts';
import { printFlatness, recordFlat, sizes, withApp, type AppSession } from './lib/app/app-session.ts';
import { httpLoad } from './lib/app/http-load.ts';
import { reportLoad } from './lib/app/load-report.ts';
import { weighted, CHANNEL_WEIGHTS } from './lib/dataset/issue-plan.ts';
import { issueText } from './lib/dataset/texts.ts';
import { heading } from './lib/report.ts';
import { signBody } from '../server/channels/signature.ts';

const HOTLINE_SECRET = 'demo-hotline12345-secret';

/** BENCH_INTAKE_CONCURRENCY: the concurrencies measured (default 1,8,32). */
const CONCURRENCY = (process.env.BENCH_INTAKE_CONCURRENCY || '1,8,32').split(',').map(Number);
/** BENCH_INTAKE_WEBHOOK_ONLY=1: the hotline webhook alone, without the staff loads before it. */
const WEBHOOK_ONLY = process.env.BENCH_INTAKE_WEBHOOK_ONLY === '1';
const BODIES = 3000;

function intakeBodies(creditCodes: readonly string[]): unknown[] {
  const rng = createRng(11);
  return Array.from({ length: BODIES }, () => {
    const category = rng.pick(CATEGORY_IDS);
    const given = rng.next() < 0.4 ? { category, urgency: rng.pick(URGENCIES) } : {};
    const channel = weighted(rng, CHANNEL_WEIGHTS);
    return {
      enterprise: { creditCode: rng.pick(creditCodes) },
      channel,
      ...issueText(rng, category),
      ...given,
    };
  });
}

/**
 * Channel-webhook intake: POST /api/intake/hotline12345 with the demo secret, every request a new work order
 * (unique orderId) signed at send time (X-Timestamp, X-Signature), at the same concurrencies, beside the echo.
 */
async function channelWebhookIntake(s: AppSession, echoBase: ChildServer): Promise<void> {
  const codes = s.manifest.samples.creditCodes;
  const rng = createRng(23);
  // A prime number of texts, so no (enterprise, text) pair comes round again within a run of the bench.
  const texts = Array.from({ length: 1009 }, () => issueText(rng, rng.pick(CATEGORY_IDS)));
  const run = Date.now().toString(36);
  // One sequence over every load of the run (warm-ups included: each load numbers its requests from 0), so
  // every order is new: repeating an order id measures the redelivery answer, and repeating an enterprise's
  // text the merge into its open issue, not intake.
  let seq = 0;
  for (const c of CONCURRENCY) {
    const request = () => {
      const k = seq++;
      const text = texts[k % texts.length];
      const body = JSON.stringify({
        orderId: `BENCH-${run}-${c}-${k}`,
        creditCode: codes[(k * 7919) % codes.length],
        contactPhone: '13905721234',
        title: text.title,
        content: text.content,
      });
      const ts = Math.floor(Date.now() / 1000);
      return {
        body,
        headers: { 'x-timestamp': String(ts), 'x-signature': signBody(HOTLINE_SECRET, ts, body) },
      };
    };
    const baseline = await httpLoad({
      baseUrl: echoBase.baseUrl,
      pid: echoBase.pid,
      connections: c,
      method: 'POST',
      paths: ['/echo'],
      request,
    });
    const r = await httpLoad({
      baseUrl: s.app.baseUrl,
      pid: s.app.pid,
      connections: c,
      method: 'POST',
      paths: ['/api/intake/hotline12345'],
      request,
      commands: s.commands,
    });
    const targets = c === 8 ? { rate: '≥ 1,000 issues/s and ≥ 0.40× echo', p99: '< 50 ms' } : {};
    reportLoad(`hotline webhook c=${c}`, r, { name: 'echo', result: baseline }, targets);
    recordFlat(`hotline webhook c=${c} CPU ms/request`, s.size, r.cpuMsPerRequest);
  }
}

let echo: ChildServer | undefined;
try {
  echo = await startEcho();
  for (const size of sizes()) {
    await withApp('intake POST /api/issues', size, async (s) => {
      const token = await s.login('dispatcher');
      const bodies = intakeBodies(s.manifest.samples.creditCodes);
      for (const c of WEBHOOK_ONLY ? [] : CONCURRENCY) {
        const baseline = await httpLoad({
          baseUrl: echo!.baseUrl,
          pid: echo!.pid,
          connections: c,
          method: 'POST',
          paths: ['/echo'],
          bodies,
        });
        const r = await httpLoad({
          baseUrl: s.app.baseUrl,
          pid: s.app.pid,
          connections: c,
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
          paths: ['/api/issues'],
          bodies,
          commands: s.commands,
        });
        const targets = c === 8 ? { rate: '≥ 1,000 issues/s and ≥ 0.40× echo', p99: '< 50 ms' } : {};
        reportLoad(`intake c=${c}`, r, { name: 'echo', result: baseline }, targets);
        recordFlat(`intake c=${c} CPU ms/request`, size, r.cpuMsPerRequest);
        recordFlat(`intake c=${c} p50 ms`, size, r.completed ? r.p50 : NaN);
      }
      await channelWebhookIntake(s, echo!);
    });
  }
} finally {
  await echo?.stop(5000);
}
heading('intake');
printFlatness();

/**
 * The attack script's load-shaped probes (issue 10, findings 2 and 10), bounded in count and time and only on
 * 127.0.0.1. Many clients are played from many loopback source addresses (127.0.x.y), which the app sees as
 * different machines exactly as `npm start` runs it: no proxy header, no TRUST_PROXY.
 *
 * - Login flood: a clerk files issues one after another, idle and then under ~8 logins/s (wrong passwords and
 *   right ones) from 80 addresses, each within the per-address limits. The median write latency under the
 *   flood must stay within 3× of idle.
 * - Slow clients: hundreds of connections that send their headers, or their body, a byte at a time. The server
 *   must cut them (README: headers within 10 s, the whole request within 30 s), keep answering /healthz and a
 *   login meanwhile, and not grow its memory with them.
 */
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import {
  call,
  finding,
  median,
  note,
  ok,
  rssMb,
  send,
  sleep,
  tally,
  type App,
  type TimedReply,
} from './harness.ts';

const TOPICS = [
  '厂房验收',
  '消防审批',
  '用电增容',
  '出口退税',
  '用工招聘',
  '排污许可',
  '供地手续',
  '融资担保',
];

export const FLOOD = Object.freeze({ perSecond: 8, addresses: 80, seconds: 12, samples: 20, maxRatio: 3 });

const fmt = (ms: number) => `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
const load = () => os.loadavg()[0].toFixed(2);

function countBy(replies: TimedReply[]): string {
  const counts: Record<number, number> = {};
  for (const r of replies) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return Object.entries(counts)
    .map(([status, n]) => `${status === '0' ? 'no answer' : status}×${n}`)
    .join(' ');
}

/** Credit codes of the first twenty enterprises, for the flood's intakes. */
export async function creditCodes(app: App, admin: string): Promise<string[]> {
  const ents = await call(app.base, 'GET', '/api/enterprises?limit=20', { token: admin });
  return (ents.json?.items ?? []).map((e: { creditCode: string }) => e.creditCode);
}

/**
 * Finding 2, black-box. `enterprises` are credit codes the clerk files against (rotated, with rotating topics,
 * so the writes are ordinary intakes rather than one repeat); `accounts` are demo accounts (password
 * demo1234) whose right and wrong logins make up the flood, with unknown usernames in between.
 */
export async function probeLoginFlood(
  app: App,
  clerk: string,
  enterprises: string[],
  accounts: string[],
): Promise<void> {
  const { perSecond, addresses, seconds, samples, maxRatio } = FLOOD;
  console.log(
    `\n== login flood: write latency idle vs under ${perSecond} logins/s from ${addresses} addresses (finding 2)`,
  );
  const writer = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const stamp = Date.now().toString(36);
  let written = 0;
  const writes: TimedReply[] = [];
  const write = async (): Promise<number> => {
    const i = written++;
    const reply = await send(app.base, 'POST', '/api/issues', {
      token: clerk,
      agent: writer,
      body: {
        enterprise: { creditCode: enterprises[i % enterprises.length] },
        channel: 'window',
        content: `${TOPICS[i % TOPICS.length]}的申请已提交${(i % 9) + 2}周仍未办理，请协调（批次${stamp}-${i}）`,
      },
    });
    writes.push(reply);
    return reply.ms;
  };
  const sample = async () => {
    const out: number[] = [];
    for (let i = 0; i < samples; i++) out.push(await write());
    return out;
  };

  for (let i = 0; i < 5; i++) await write(); // warm-up: first-call costs are not latency
  const loadIdle = load();
  const idleBefore = await sample();

  // The flood: one login every 1/perSecond s on a fixed schedule, each from the next address, on a fresh
  // connection. Half are right passwords of demo accounts, a quarter wrong passwords of them, a quarter
  // unknown usernames; every one of them costs the KDF.
  const logins: Array<Promise<TimedReply & { right: boolean }>> = [];
  const floodStarted = Date.now();
  let floodOn = true;
  const flood = (async () => {
    for (let i = 0; floodOn; i++) {
      await sleep(floodStarted + (i * 1000) / perSecond - Date.now());
      const right = i % 2 === 0;
      const account = accounts[Math.floor(i / 2) % accounts.length];
      const username = right || i % 4 === 1 ? account : `flood-${stamp}-${i}`;
      const password = right ? 'demo1234' : `guess-${i}`;
      logins.push(
        send(app.base, 'POST', '/api/auth/login', {
          body: { username, password },
          agent: false,
          localAddress: `127.0.2.${1 + (i % addresses)}`,
          timeoutMs: 60_000,
        }).then((r) => ({ ...r, right })),
      );
    }
  })();
  await sleep(1500); // let the flood reach its rate
  const loadFlood = load();
  const flooded: number[] = [];
  while (Date.now() - floodStarted < seconds * 1000) flooded.push(await write());
  floodOn = false;
  await flood;
  const floodEnded = Date.now();
  const answered = await Promise.all(logins);
  const drainedAfter = Date.now() - floodEnded;
  const idleAfter = await sample();

  const idle = median([...idleBefore, ...idleAfter]);
  const underFlood = median(flooded);
  const ratio = underFlood / idle;
  const rate = answered.length / ((floodEnded - floodStarted) / 1000);
  note(
    `idle write median ${fmt(idle)} (before ${fmt(median(idleBefore))}, after ${fmt(median(idleAfter))}; load ${loadIdle}), ` +
      `under the flood ${fmt(underFlood)} over ${flooded.length} writes (load ${loadFlood})`,
  );
  note(
    `${answered.length} logins in ${((floodEnded - floodStarted) / 1000).toFixed(1)} s (${rate.toFixed(1)}/s) from ${Math.min(addresses, answered.length)} addresses: ` +
      `${countBy(answered)}; login median ${fmt(median(answered.map((a) => a.ms)))}, max ${fmt(Math.max(...answered.map((a) => a.ms)))}; ` +
      `the last answered ${(drainedAfter / 1000).toFixed(1)} s after the flood stopped`,
  );
  if (ratio > maxRatio)
    finding(
      `a login flood raised the median write latency ${ratio.toFixed(1)}× (${fmt(idle)} → ${fmt(underFlood)})`,
    );
  else
    ok(`under the login flood the median write latency is ${ratio.toFixed(2)}× idle (at most ${maxRatio}×)`);
  const failedWrites = writes.filter((w) => w.status !== 201 && w.status !== 200);
  if (failedWrites.length)
    finding(
      `${failedWrites.length} of ${writes.length} writes failed: ${failedWrites[0].status} ${failedWrites[0].text.slice(0, 120)}`,
    );
  const broken = answered.filter((a) => a.status === 0 || (a.status >= 500 && a.status !== 503));
  if (broken.length)
    finding(
      `${broken.length} flood logins got no answer or a 5xx: ${broken[0].status} ${broken[0].text.slice(0, 120)}`,
    );
  // Each address and account stays within its limits, so a right password is never refused by a limit. It
  // may get 503 busy: the KDF at capacity refuses at once what it could not start within 5 s (a slow host).
  const shut = answered.filter((a) => a.right && a.status !== 200 && a.status !== 503);
  if (shut.length)
    finding(`${shut.length} right-password logins during the flood were refused (${countBy(shut)})`);
  const busy = answered.filter((a) => a.status === 503).length;
  if (busy) note(`${busy} logins answered 503 busy: the KDF could not keep up at load ${loadFlood}`);
  const wrongIn = answered.filter((a) => !a.right && a.status === 200);
  if (wrongIn.length) finding(`${wrongIn.length} wrong-password logins got in`);
  writer.destroy();
}

// ---------------------------------------------------------------- slow clients

/** What README promises: headers within 10 s, the whole request within 30 s (plus Node's 2 s check tick). */
export const SLOW = Object.freeze({
  headersS: 10,
  requestS: 30,
  slackS: 6,
  bodyAddresses: 10,
  bodiesPerAddress: 30,
  headerAddresses: 5,
  headersPerAddress: 20,
  dripMs: 1000,
  maxGrowthMb: 100,
});

interface SlowConnection {
  kind: 'body' | 'headers';
  target: string;
  socket: net.Socket;
  openedAt: number;
  closedAt?: number;
  answer: string;
}

function openSlow(
  port: number,
  localAddress: string,
  kind: SlowConnection['kind'],
  target: string,
  head: string,
  drip: (k: number) => string,
): SlowConnection {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress });
  const conn: SlowConnection = { kind, target, socket, openedAt: Date.now(), answer: '' };
  let timer: NodeJS.Timeout | undefined;
  socket.setNoDelay(true);
  socket.on('connect', () => {
    socket.write(head);
    let k = 0;
    // Jittered so 400 connections do not tick together.
    timer = setInterval(() => socket.writable && socket.write(drip(k++)), SLOW.dripMs + Math.random() * 100);
  });
  socket.on('data', (d) => (conn.answer = (conn.answer + String(d)).slice(0, 200)));
  socket.on('error', () => undefined);
  socket.on('close', () => {
    clearInterval(timer);
    conn.closedAt = Date.now();
  });
  return conn;
}

function closings(conns: SlowConnection[]): string {
  const closed = conns.filter((c) => c.closedAt !== undefined);
  const after = closed.map((c) => (c.closedAt! - c.openedAt) / 1000);
  const answers: Record<string, number> = {};
  for (const c of closed) {
    const status = /^HTTP\/1\.1 (\d{3})/.exec(c.answer)?.[1] ?? 'closed without an answer';
    answers[status] = (answers[status] ?? 0) + 1;
  }
  const shown = Object.entries(answers)
    .map(([s, n]) => `${s}×${n}`)
    .join(', ');
  return `${closed.length} of ${conns.length} cut after ${median(after).toFixed(1)} s (max ${Math.max(0, ...after).toFixed(1)} s; ${shown})`;
}

/**
 * Finding 10, black-box. `qrToken` (the printed code's token) adds slow bodies to the public QR form;
 * `account` is a demo account whose login must stay fast meanwhile.
 */
export async function probeSlowClients(app: App, account: string, qrToken?: string): Promise<void> {
  const s = SLOW;
  const bodies = s.bodyAddresses * s.bodiesPerAddress;
  const headers = s.headerAddresses * s.headersPerAddress;
  console.log(
    `\n== slow clients: ${bodies} bodies and ${headers} header blocks a byte a second, from ${s.bodyAddresses + s.headerAddresses} addresses (finding 10)`,
  );
  const port = Number(new URL(app.base).port);
  const targets: Array<[string, string]> = [
    ['POST /api/auth/login', 'application/json'],
    ['POST /api/issues', 'application/json'], // answered 401 at once; the body still dribbles in
    ...(qrToken
      ? ([[`POST /e/${qrToken}/verify-pin`, 'application/x-www-form-urlencoded']] as Array<[string, string]>)
      : []),
  ];
  const rssBefore = await rssMb(app);
  const conns: SlowConnection[] = [];
  for (let a = 0; a < s.bodyAddresses; a++)
    for (let j = 0; j < s.bodiesPerAddress; j++) {
      const [target, type] = targets[(a * s.bodiesPerAddress + j) % targets.length];
      const head = `${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${type}\r\nContent-Length: 100000\r\n\r\n`;
      conns.push(openSlow(port, `127.0.3.${a + 1}`, 'body', target, head, () => 'a'));
    }
  for (let a = 0; a < s.headerAddresses; a++)
    for (let j = 0; j < s.headersPerAddress; j++) {
      const head = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n';
      conns.push(
        openSlow(port, `127.0.4.${a + 1}`, 'headers', 'GET /healthz', head, (k) => `X-Slow-${k}: 1\r\n`),
      );
    }
  tally.requests += conns.length;

  // Meanwhile an ordinary client: /healthz every second, a right login every third.
  const health: TimedReply[] = [];
  const logins: TimedReply[] = [];
  let rssPeak = rssBefore;
  const monitor = new http.Agent({ keepAlive: true });
  const started = Date.now();
  const limitS = s.requestS + s.slackS + 4;
  for (let tick = 0; (Date.now() - started) / 1000 < limitS; tick++) {
    health.push(await send(app.base, 'GET', '/healthz', { agent: monitor, timeoutMs: 10_000 }));
    if (tick % 3 === 0)
      logins.push(
        await send(app.base, 'POST', '/api/auth/login', {
          body: { username: account, password: 'demo1234' },
          agent: monitor,
          timeoutMs: 15_000,
        }),
      );
    rssPeak = Math.max(rssPeak, await rssMb(app));
    if (conns.every((c) => c.closedAt !== undefined)) break;
    await sleep(started + (tick + 1) * 1000 - Date.now());
  }
  const heldS = (Date.now() - started) / 1000;
  const slowHeaders = conns.filter((c) => c.kind === 'headers');
  const slowBodies = conns.filter((c) => c.kind === 'body');
  const late = (c: SlowConnection, limit: number) =>
    c.closedAt === undefined || (c.closedAt - c.openedAt) / 1000 > limit + s.slackS;
  for (const c of conns) c.socket.destroy();
  await sleep(500);
  const rssAfter = await rssMb(app);
  monitor.destroy();

  note(`slow headers: ${closings(slowHeaders)}`);
  for (const [target] of targets)
    note(`slow bodies to ${target}: ${closings(slowBodies.filter((c) => c.target === target))}`);
  const lateHeaders = slowHeaders.filter((c) => late(c, s.headersS)).length;
  const lateBodies = slowBodies.filter((c) => late(c, s.requestS)).length;
  if (lateHeaders)
    finding(`${lateHeaders} of ${headers} slow-header connections outlived ${s.headersS} s (+${s.slackS} s)`);
  else ok(`every slow-header connection was cut within ${s.headersS + s.slackS} s`);
  if (lateBodies)
    finding(`${lateBodies} of ${bodies} slow-body connections outlived ${s.requestS} s (+${s.slackS} s)`);
  else ok(`every slow-body connection was cut within ${s.requestS + s.slackS} s`);

  const healthMs = health.filter((h) => h.status === 200).map((h) => h.ms);
  const loginMs = logins.filter((l) => l.status === 200).map((l) => l.ms);
  note(
    `meanwhile over ${heldS.toFixed(0)} s: /healthz ${healthMs.length}/${health.length} answered, median ${fmt(median(healthMs))}, ` +
      `max ${fmt(Math.max(...healthMs))}; login ${loginMs.length}/${logins.length}, median ${fmt(median(loginMs))}, max ${fmt(Math.max(...loginMs))}; load ${load()}`,
  );
  // A stall is /healthz going unanswered (10 s) or slow as a rule; one late answer on a loaded host is not.
  if (healthMs.length < health.length || median(healthMs) > 500)
    finding(
      `the app stalled under slow clients: /healthz ${countBy(health)}, median ${fmt(median(healthMs))}`,
    );
  else ok('/healthz answered every second (median within 500 ms)');
  if (loginMs.length < logins.length || Math.max(...loginMs) > 5000)
    finding(`logins suffered under slow clients: ${countBy(logins)}, max ${fmt(Math.max(...loginMs))}`);
  else ok('a login kept answering within 5 s');
  const growth = rssPeak - rssBefore;
  note(
    `memory (RSS) ${rssBefore.toFixed(0)} MB before, peak ${rssPeak.toFixed(0)} MB, ${rssAfter.toFixed(0)} MB after`,
  );
  if (growth > s.maxGrowthMb) finding(`slow clients grew the app's memory by ${growth.toFixed(0)} MB`);
  else ok(`memory grew ${growth.toFixed(0)} MB at most (bound ${s.maxGrowthMb} MB)`);
}

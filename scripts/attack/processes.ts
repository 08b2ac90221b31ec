/**
 * The app as processes: kill -9 under intake load (every acknowledged issue read back after the restart, and the
 * next intake gets a fresh number), and two app processes started at once on one database (seeding, login
 * limits shared by both).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { call, finding, login, ok, ROOT, send, startApp, stopApp, type App } from './harness.ts';

/** An intake the app answered 201 or 200: the issue it names must exist after any crash. */
interface Acked {
  id: string;
  number: string;
}

/**
 * Reads every acknowledged issue back after the restart as the clerk (city-wide: may read every issue it
 * created; admins may read none), by detail and by the enterprise's list, and counts each missing one.
 * An answer other than 200 or 404 is the probe failing to look (not a loss), so it is reported apart.
 */
async function readBack(base: string, token: string, enterpriseId: string, acked: Acked[]) {
  const listed = new Map<string, string>();
  for (let cursor: string | undefined, pages = 0; pages < 50; pages++) {
    const url = `/api/issues?enterpriseId=${enterpriseId}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await call(base, 'GET', url, { token });
    if (res.status !== 200) throw new Error(`list after restart: ${res.status} ${res.text.slice(0, 200)}`);
    for (const item of res.json.items) listed.set(item.id, item.number);
    cursor = res.json.next;
    if (!cursor) break;
  }
  let found = 0;
  const lost: string[] = [];
  const unread: string[] = [];
  for (const { id, number } of acked) {
    const res = await call(base, 'GET', `/api/issues/${id}`, { token });
    const detailOk = res.status === 200 && res.json.id === id && res.json.number === number;
    const listOk = listed.get(id) === number;
    if (detailOk && listOk) found++;
    else if (res.status === 404 || res.status === 200)
      lost.push(
        `${number} (${id}): detail ${res.status}${detailOk ? '' : ' mismatch'}, list ${listOk ? 'yes' : 'no'}`,
      );
    else unread.push(`${number} (${id}): ${res.status} ${res.text.slice(0, 80)}`);
  }
  return { found, lost, unread };
}

export async function probeKill(app: App): Promise<App> {
  console.log('\n== kill -9 under load: every acknowledged issue survives');
  // Fresh tokens: the login probe logs the clerk out, which revokes every token the clerk held.
  const admin = await login(app.base, 'admin');
  const clerk = await login(app.base, 'clerk');
  const ents = await call(app.base, 'GET', '/api/enterprises?limit=5', { token: admin });
  const { creditCode, id: enterpriseId } = ents.json.items[0];
  const acked: Acked[] = [];
  let n = 0;
  let dead = false;
  const worker = async () => {
    while (!dead && n < 200) {
      const i = n++;
      const res = await call(app.base, 'POST', '/api/issues', {
        token: clerk,
        body: {
          enterprise: { creditCode },
          channel: 'window',
          content: `断电测试第${i}号：${['厂房验收', '消防审批', '用电增容', '出口退税', '用工招聘'][i % 5]}迟迟未办理，编号${i * 7919}`,
        },
      }).catch(() => undefined);
      statuses[res?.status ?? 0] = (statuses[res?.status ?? 0] ?? 0) + 1;
      // 201 created, 200 recognised as a repeat of an earlier one: either way the answer names a stored issue.
      if (res?.status === 201 || res?.status === 200)
        acked.push({ id: res.json.id, number: res.json.number });
    }
  };
  const statuses: Record<number, number> = {};
  const load = Promise.all([worker(), worker(), worker(), worker()]);
  // Kill once the load is well under way (at least 20 acknowledged), or after 30 s whatever happened.
  for (let waited = 0; acked.length < 20 && waited < 30_000; waited += 200)
    await new Promise((r) => setTimeout(r, 200));
  // The reading role must see the issues before the crash, or a 404 after it would prove nothing.
  const before = acked[0] && (await call(app.base, 'GET', `/api/issues/${acked[0].id}`, { token: clerk }));
  if (before && before.status !== 200)
    finding(`kill -9 probe: the clerk cannot read its own intake before the crash (${before.status})`);
  // Kill while the workers still have intakes in flight (stopApp signals at once), then stop them.
  const killed = stopApp(app, 'SIGKILL');
  dead = true;
  await killed;
  await load;
  const again = await startApp(app.dataDir);
  const unique = [...new Map(acked.map((a) => [a.id, a])).values()];
  const reader = await login(again.base, 'clerk');
  const { found, lost, unread } = await readBack(again.base, reader, enterpriseId, unique);
  const figures = `${unique.length} acknowledged (${acked.length} answers ${JSON.stringify(statuses)}), ${found} found after restart, ${lost.length} lost`;
  if (unread.length)
    finding(
      `kill -9 probe could not read ${unread.length} issues back (not counted as lost): ${unread.slice(0, 3).join('; ')}`,
    );
  if (lost.length) finding(`${figures}: ${lost.slice(0, 5).join('; ')}`);
  else ok(figures);
  // The issue counter survived with the issues: the next intake gets a number no acknowledged issue has.
  const next = await call(again.base, 'POST', '/api/issues', {
    token: reader,
    body: {
      enterprise: { creditCode },
      channel: 'window',
      content: `断电之后的第一件：厂房验收迟迟未办理，${Date.now()}`,
    },
  });
  if (next.status !== 201 || unique.some((a) => a.number === next.json.number))
    finding(
      `the first intake after kill -9 answered ${next.status} ${next.json?.number ?? next.text.slice(0, 120)}`,
    );
  if (acked.length === 0)
    finding(`no intake was acknowledged under load (answers: ${JSON.stringify(statuses)})`);
  return again;
}

export async function probeTwoProcesses(): Promise<void> {
  console.log('\n== two app processes on one database (started at once): seeding, limits shared');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'eil-attack2-'));
  const socketPath = path.join(dir, 'db.sock');
  const db = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/db/embedded/cli.ts', '--socket', socketPath],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const apps: App[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      db.stdout!.on('data', (d) => {
        out += String(d);
        if (out.includes('listening on')) resolve();
      });
      db.once('exit', (code) => reject(new Error(`db exited ${code}: ${out}`)));
    });
    const env = {
      MONGODB_URI: `mongodb://${encodeURIComponent(socketPath)}/attack`,
      DEMO: '1',
      JWT_SECRET: 'attack-secret-0123456789-abcdefghijklmnop',
    };
    const started = await Promise.allSettled([
      startApp(path.join(dir, 'a'), env),
      startApp(path.join(dir, 'b'), env),
    ]);
    for (const s of started) if (s.status === 'fulfilled') apps.push(s.value);
    const failed = started.filter((s) => s.status === 'rejected');
    if (failed.length) {
      finding(
        `two processes started at once: ${failed.length} failed (${String((failed[0] as PromiseRejectedResult).reason).slice(0, 200)})`,
      );
      return;
    }
    ok('two processes started at once on an empty database');
    // Each guess on a connection of its own. Reusing the keep-alive connection left by the start-up health
    // checks raced the server's idle close (5 s) on a loaded host: the request went out as the server closed
    // the socket, and the kernel answered it with a reset (seen once as ECONNRESET). A fresh connection cannot
    // race that, so a reset here is the app's.
    const guesses = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        send(apps[i % 2].base, 'POST', '/api/auth/login', {
          body: { username: 'clerk', password: `guess-${i}` },
          agent: false,
          timeoutMs: 60_000,
        }),
      ),
    );
    const counts: Record<number, number> = {};
    for (const g of guesses) counts[g.status] = (counts[g.status] ?? 0) + 1;
    // 503 busy is the KDF refusing what it could not start within 5 s (a slow host): refused, not broken.
    const broken = guesses.filter((g) => g.status === 0 || (g.status >= 500 && g.status !== 503));
    if (broken.length)
      finding(
        `${broken.length} of 24 guesses across two processes got no answer or a 5xx (${broken[0].status} ${broken[0].text.slice(0, 120)}); app output: ${apps.map((a) => a.output().slice(-400)).join(' | ')}`,
      );
    else
      ok(
        `24 guesses across two processes, each on a fresh connection, all answered (${JSON.stringify(counts)})`,
      );
    const checked = guesses.filter((g) => g.status === 401).length;
    if (checked > 10) finding(`${checked} of 24 guesses across two processes were checked (limit 10)`);
    else ok(`${checked} of 24 guesses across two processes were checked, the rest limited`);
  } finally {
    await Promise.all(apps.map((a) => stopApp(a)));
    if (db.exitCode === null) {
      const gone = new Promise((resolve) => db.once('exit', resolve));
      db.kill('SIGTERM');
      await gone;
    }
    await rm(dir, { recursive: true, force: true });
  }
}

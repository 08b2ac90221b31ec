/**
 * Logging in: brute force at one account from one address, the cost of an unknown username against a known one,
 * the refresh cookie (its attributes, and dead after logout or forged), and the account lock-out that guesses from
 * many addresses cause, which must spare the owner's known browser.
 */
import { call, cookieOf, finding, median, note, ok, send, type App } from './harness.ts';

export async function probeLogin(app: App): Promise<void> {
  console.log('\n== login brute force (25 concurrent guesses at one account), timing, the refresh cookie');
  const guesses = await Promise.all(
    Array.from({ length: 25 }, (_, i) =>
      call(app.base, 'POST', '/api/auth/login', { body: { username: 'director', password: `guess-${i}` } }),
    ),
  );
  const tried = guesses.filter((g) => g.status === 401).length;
  const limited = guesses.filter((g) => g.status === 429).length;
  const other = guesses.filter((g) => g.status !== 401 && g.status !== 429).map((g) => g.status);
  if (tried > 10) finding(`${tried} of 25 concurrent guesses were checked (limit 10 per address + account)`);
  else ok(`${tried} guesses checked, ${limited} limited`);
  // 503 busy is the KDF refusing what it could not start within 5 s on a slow host: an answer, not a fault.
  if (other.some((s) => s >= 500 && s !== 503)) finding(`login brute force answered ${other.join(' ')}`);
  else if (other.length) note(`login brute force: also answered ${other.join(' ')} (KDF busy)`);
  // Unknown user vs known user: same cost. The known account is one no other probe touches (its attempts
  // stay among the free ones, so no progressive delay), and only checked answers (401) are timed.
  const time = async (username: string) => {
    const t = performance.now();
    const res = await call(app.base, 'POST', '/api/auth/login', {
      body: { username, password: 'wrong-password' },
    });
    return res.status === 401 ? performance.now() - t : undefined;
  };
  const known: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < 4; i++) {
    const k = await time('leader');
    if (k !== undefined) known.push(k);
    const u = await time(`nobody${i}`);
    if (u !== undefined) unknown.push(u);
  }
  const ratio = median(unknown) / median(known);
  if (known.length < 2 || unknown.length < 2)
    note(
      `login timing: too few checked answers (${known.length} known, ${unknown.length} unknown; KDF busy)`,
    );
  else if (ratio > 3 || ratio < 1 / 3)
    finding(`login timing: unknown ${median(unknown).toFixed(0)} ms vs known ${median(known).toFixed(0)} ms`);
  else ok(`login timing unknown/known ratio ${ratio.toFixed(2)}`);
  // Refresh cookie: works, then dies with logout.
  const res = await call(app.base, 'POST', '/api/auth/login', {
    body: { username: 'clerk', password: 'demo1234' },
  });
  const cookie = cookieOf(res, 'eil_refresh');
  if (!cookie) {
    finding('login set no refresh cookie');
    return;
  }
  const attrs = res.headers.getSetCookie().find((c) => c.startsWith('eil_refresh=')) ?? '';
  if (!/HttpOnly/i.test(attrs) || !/SameSite=Strict/i.test(attrs))
    finding(`refresh cookie attributes: ${attrs}`);
  const fresh = await call(app.base, 'POST', '/api/auth/refresh', { headers: { cookie } });
  if (fresh.status !== 200) finding(`refresh with a live cookie answered ${fresh.status}`);
  await call(app.base, 'POST', '/api/auth/logout', { token: res.json.token, headers: { cookie } });
  const replay = await call(app.base, 'POST', '/api/auth/refresh', { headers: { cookie } });
  if (replay.status === 200) finding('the refresh cookie still works after logout');
  else ok(`refresh after logout answered ${replay.status}`);
  const forged = await call(app.base, 'POST', '/api/auth/refresh', {
    headers: { cookie: 'eil_refresh=eyJhbGciOiJub25lIn0.e30.' },
  });
  if (forged.status === 200) finding('a forged refresh cookie (alg none) was accepted');
}

/**
 * Guesses at one account from many addresses (each within its own limits) lock the account for clients it does
 * not know; its owner, in the browser where they logged in before, must still get in.
 */
export async function probeAccountLockout(app: App): Promise<void> {
  console.log('\n== account lock-out: 30 guesses at one account from 6 addresses, then its owner');
  const first = await call(app.base, 'POST', '/api/auth/login', {
    body: { username: 'supervisor', password: 'demo1234' },
  });
  const device = cookieOf(first, 'eil_device');
  if (!device) return finding('a correct login set no device cookie');
  const guesses = await Promise.all(
    Array.from({ length: 30 }, (_, i) =>
      send(app.base, 'POST', '/api/auth/login', {
        body: { username: 'supervisor', password: `guess-${i}` },
        agent: false,
        localAddress: `127.0.4.${1 + (i % 6)}`,
      }),
    ),
  );
  const counts: Record<number, number> = {};
  for (const g of guesses) counts[g.status] = (counts[g.status] ?? 0) + 1;
  if (guesses.some((g) => g.status === 0 || g.status >= 500))
    finding(`guesses answered ${JSON.stringify(counts)}`);
  if ((counts[401] ?? 0) > 20) finding(`${counts[401]} of 30 guesses at one account were checked (limit 20)`);
  const stranger = await call(app.base, 'POST', '/api/auth/login', {
    body: { username: 'supervisor', password: 'demo1234' },
  });
  const owner = await call(app.base, 'POST', '/api/auth/login', {
    body: { username: 'supervisor', password: 'demo1234' },
    headers: { cookie: device },
  });
  if (owner.status !== 200) finding(`the owner's known browser was locked out too (${owner.status})`);
  else
    ok(
      `guesses ${JSON.stringify(counts)}; the right password from an unknown browser ${stranger.status}, from the owner's browser 200`,
    );
}

/**
 * The enterprise QR page (`/e/<token>`), the one staff-free page holding an enterprise's issues: token guesses,
 * markup echo, its CSP, the live stream (SSE), the PIN lock-out while the owner can still ask for an SMS code,
 * and CSRF on its forms.
 */
import { call, cookieOf, finding, ok, tally, type App } from './harness.ts';

/** The first listed enterprise and the token of its printed code (read as the admin). */
export async function firstQrCode(app: App, admin: string): Promise<{ ent: { id: string }; token: string }> {
  const ents = await call(app.base, 'GET', '/api/enterprises?limit=5', { token: admin });
  const ent = ents.json.items[0];
  const detail = await call(app.base, 'GET', `/api/enterprises/${ent.id}`, { token: admin });
  const qrUrl: string = detail.json.qrUrl ?? detail.json.enterprise?.qrUrl;
  return { ent, token: new URL(qrUrl).pathname.split('/')[2] };
}

export async function probeQrPage(app: App, admin: string): Promise<void> {
  console.log('\n== the QR page: tokens, XSS, SSE, PIN lock-out, the owner still verifies');
  const { ent, token } = await firstQrCode(app, admin);
  const page = await call(app.base, 'GET', `/e/${token}`);
  if (page.status !== 200) finding(`the QR page answered ${page.status}`);
  for (const guess of [
    'x',
    'a'.repeat(43),
    token.slice(0, -1) + (token.at(-1) === 'A' ? 'B' : 'A'),
    '..%2f..',
  ]) {
    const res = await call(app.base, 'GET', `/e/${guess}`);
    if (res.status !== 404) finding(`/e/<guess ${guess.slice(0, 10)}> answered ${res.status}`);
  }
  const xss = await call(
    app.base,
    'GET',
    `/e/${token}?q=%3Cscript%3Ealert(1)%3C/script%3E&error=%3Cimg%20src=x%3E`,
  );
  if (xss.text.includes('<script>alert(1)') || xss.text.includes('<img src=x>'))
    finding('the QR page echoes markup');
  const csp = page.headers.get('content-security-policy') ?? '';
  if (!csp.includes('script-src')) finding('the QR page has no script-src CSP');
  // SSE: summary only, and no stream for a wrong token.
  const bad = await fetch(`${app.base}/e/${'b'.repeat(43)}/live`);
  tally.requests++;
  if (bad.status !== 404) finding(`SSE with a wrong token answered ${bad.status}`);
  await bad.body?.cancel();
  const live = await fetch(`${app.base}/e/${token}/live`, { signal: AbortSignal.timeout(1500) }).catch(
    () => undefined,
  );
  tally.requests++;
  if (live && !(live.headers.get('content-type') ?? '').startsWith('text/event-stream'))
    finding(`SSE answered ${live.status} ${live.headers.get('content-type')}`);
  await live?.body?.cancel().catch(() => undefined);

  // A PIN for the owner, then an attacker holding the plaque guesses.
  const setPin = await call(app.base, 'PUT', `/api/enterprises/${ent.id}/pin`, {
    token: admin,
    body: { pin: '482915' },
  });
  if (setPin.status >= 300) {
    finding(`could not set a PIN (${setPin.status}): PIN probes skipped`);
    return;
  }
  const form = async () => {
    const v = await call(app.base, 'GET', `/e/${token}/verify`);
    const pre = cookieOf(v, 'eq_pre');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(v.text)?.[1];
    return { pre, csrf };
  };
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++) {
    const { pre, csrf } = await form();
    const res = await call(app.base, 'POST', `/e/${token}/verify-pin`, {
      body: `_csrf=${csrf}&pin=${String(100000 + i)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: pre ?? '' },
    });
    statuses.push(res.status);
  }
  if (!statuses.slice(10).every((s) => s === 429 || s === 423 || s === 403))
    finding(`12 wrong PINs: no lock-out (${statuses.join(' ')})`);
  else ok(`wrong PINs lock the PIN path (${statuses.join(' ')})`);
  // The owner asks for an SMS code from a fresh browser: must not be blocked by the guesser.
  const { pre, csrf } = await form();
  const code = await call(app.base, 'POST', `/e/${token}/code`, {
    body: `_csrf=${csrf}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: pre ?? '' },
  });
  if (code.status === 429) finding('after the PIN guesses the owner cannot get an SMS code (429)');
  else ok(`the owner can still ask for an SMS code (${code.status})`);
  const noCsrf = await call(app.base, 'POST', `/e/${token}/verify-pin`, {
    body: 'pin=482915',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  if (noCsrf.status < 400) finding(`verify-pin without CSRF answered ${noCsrf.status}`);
}

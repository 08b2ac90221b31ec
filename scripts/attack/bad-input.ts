/**
 * The bad-input corpus (`$`-keys, NUL, `_bsontype`, `__proto__`, deep nesting, wrong types, 1.2 MB bodies, bad
 * ids and query strings) on every route as the admin, and forged, stale and malformed deliveries on the signed
 * and keyed channels: nothing may answer 5xx, and every 4xx carries `{error:{code,message}}`.
 */
import { createHmac } from 'node:crypto';
import { call, finding, ok, type App, type Reply } from './harness.ts';
import { OID, ROUTES } from './routes.ts';

const BAD_BODIES: Array<[string, string]> = [
  ['not JSON', '{"a":'],
  ['$-key', '{"$where":"sleep(1000)","content":{"$gt":""}}'],
  ['NUL key', '{"a\\u0000b":1}'],
  ['_bsontype', '{"value":{"_bsontype":"Code","code":"x"}}'],
  ['__proto__', '{"__proto__":{"admin":true},"value":{"__proto__":{"x":1}}}'],
  ['deep', '['.repeat(40) + ']'.repeat(40)],
  ['array', '[1,2,3]'],
  ['scalar', '"x"'],
  ['wrong types', '{"content":123,"enterprise":[],"username":{"a":1},"password":null,"pin":[1],"name":true}'],
  ['huge', JSON.stringify({ content: '长'.repeat(400_000) })],
];
const BAD_IDS = ['x', '%24gt', OID, '-1', 'a'.repeat(300), '..%2F..%2Fetc%2Fpasswd'];
/** Routes whose body is ignored and which start heavy work (training, clustering): no body corpus. */
const BODY_IGNORED = new Set(['/api/classify/retrain', '/api/class-problems/cluster']);

export async function probeBadInput(app: App, admin: string, ids: Record<string, string>): Promise<void> {
  console.log('\n== bad-input corpus on every route (admin token; bodies, ids, query strings)');
  let sent = 0;
  const check = (what: string, res: Reply) => {
    sent++;
    if (res.status >= 500) finding(`${what} answered ${res.status}: ${res.text.slice(0, 160)}`);
    else if (res.status >= 400 && (!res.json?.error?.code || !res.json?.error?.message))
      if (!(res.status === 401 && what.includes('/auth/')))
        finding(`${what} answered ${res.status} without {error:{code,message}}: ${res.text.slice(0, 120)}`);
  };
  for (const [method, route] of ROUTES) {
    // Logout would end the admin's session and turn every later probe into a 401.
    if (route.startsWith('/api/intake/') || route === '/api/auth/logout') continue;
    const url = route.replaceAll(':id', ids[route] ?? OID);
    if (method !== 'GET' && !BODY_IGNORED.has(route)) {
      for (const [name, body] of BAD_BODIES) {
        check(`${method} ${route} (${name})`, await call(app.base, method, url, { token: admin, body }));
      }
    }
    if (route.includes(':id')) {
      for (const id of BAD_IDS) {
        const bad = route.replaceAll(':id', id);
        check(
          `${method} ${bad.slice(0, 80)}`,
          await call(app.base, method, bad, { token: admin, body: method === 'GET' ? undefined : {} }),
        );
      }
    }
    if (method === 'GET') {
      for (const q of [
        '?limit=-1&skip=1e99&sort=%24where',
        '?q[$gt]=&state[]=x&unitId=x&from=notadate',
        '?q=%00%27%22%3Cscript%3E',
      ]) {
        check(`GET ${route}${q}`, await call(app.base, 'GET', url + q, { token: admin }));
      }
    }
  }
  // The channels: signed and keyed intake with forged, stale and malformed deliveries.
  const ts = String(Math.floor(Date.now() / 1000));
  const body = '{"orderId":"X1","content":"测试"}';
  const sig = createHmac('sha256', 'wrong-secret').update(`${ts}.${body}`).digest('hex');
  const forged = await call(app.base, 'POST', '/api/intake/hotline12345', {
    body,
    headers: { 'x-timestamp': ts, 'x-signature': sig },
  });
  if (forged.status !== 401) finding(`hotline with a forged signature answered ${forged.status}`);
  const stale = createHmac('sha256', 'demo-hotline12345-secret').update(`1000.${body}`).digest('hex');
  const old = await call(app.base, 'POST', '/api/intake/hotline12345', {
    body,
    headers: { 'x-timestamp': '1000', 'x-signature': stale },
  });
  if (old.status < 400) finding(`hotline with a 1970 timestamp answered ${old.status}`);
  for (const [name, b] of BAD_BODIES) {
    const s = createHmac('sha256', 'demo-hotline12345-secret').update(`${ts}.${b}`).digest('hex');
    check(
      `POST /api/intake/hotline12345 signed (${name})`,
      await call(app.base, 'POST', '/api/intake/hotline12345', {
        body: b,
        headers: { 'x-timestamp': ts, 'x-signature': s },
      }),
    );
    check(
      `POST /api/intake/zheliban (${name})`,
      await call(app.base, 'POST', '/api/intake/zheliban', {
        body: b,
        headers: { 'x-api-key': 'demo-zheliban-key' },
      }),
    );
  }
  const wrongKey = await call(app.base, 'POST', '/api/intake/zheliban', {
    body: '{}',
    headers: { 'x-api-key': 'nope' },
  });
  if (wrongKey.status !== 401) finding(`zheliban with a wrong key answered ${wrongKey.status}`);
  const still = await call(app.base, 'GET', '/api/me', { token: admin });
  if (still.status !== 200)
    finding(`the admin session did not survive the corpus (${still.status}): results unreliable`);
  ok(`${sent} bad inputs sent`);
}

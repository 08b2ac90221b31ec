/**
 * The authorisation matrix: centre roles and two units' staff against foreign issues (detail, actions,
 * attachments, similar issues), the Excel export of the list, centre-only reads and writes, writes on their own
 * account, unit and enterprises, enterprise QR credentials, and class problems (a unit's staff read only the
 * classes their unit leads or co-handles).
 */
import ExcelJS from 'exceljs';
import { call, finding, findings, ok, tally, type App } from './harness.ts';
import { OID } from './routes.ts';

export const ACTORS = [
  'admin',
  'clerk',
  'dispatcher',
  'director',
  'handler-deqing-xinshi',
  'unithead-deqing-xinshi',
  'handler-anji-dipu',
];
const CENTRE = new Set(['admin', 'clerk', 'dispatcher', 'director']);
/** Writes only the centre or admins may make: a unit's staff must get 403. */
const CENTRE_WRITES: Array<[string, string, object]> = [
  ['PUT', '/api/settings/escalation', { value: {} }],
  ['POST', '/api/users', { username: 'mallory', password: 'x'.repeat(12), role: 'admin', name: 'M' }],
  ['POST', '/api/units', { code: 'evil', name: '恶意单位' }],
  ['POST', '/api/classify/retrain', {}],
  ['POST', '/api/channels/hotline12345/credentials', {}],
  ['POST', '/api/routing-rules', { keywords: ['x'], unitId: OID }],
  ['PUT', '/api/calendar/overrides/2026-05-01', { workday: true }],
  ['POST', '/api/enterprises/plaques', {}],
  ['POST', '/api/class-problems/cluster', {}],
  ['PUT', '/api/calendar/years/2027', { holidays: [] }],
  ['DELETE', '/api/calendar/overrides/2026-05-01', {}],
];
const CENTRE_READS = [
  '/api/inbox',
  '/api/outbox',
  '/api/users',
  '/api/channels',
  '/api/class-problems/candidates',
  '/api/class-problems/export.xlsx',
  '/api/calendar/warnings',
];

/** Every issue the actor's list gives, id → number, page after page. */
async function visibleIssues(app: App, token: string): Promise<Map<string, string>> {
  const seen = new Map<string, string>();
  for (let cursor: string | undefined, pages = 0; pages < 50; pages++) {
    const url = `/api/issues?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await call(app.base, 'GET', url, { token });
    for (const item of res.json?.items ?? []) seen.set(item.id, item.number);
    cursor = res.json?.next;
    if (!cursor) break;
  }
  return seen;
}

/** The issue numbers in the actor's Excel export of the issue list (column 编号, after the note and header). */
async function exportedNumbers(app: App, token: string): Promise<string[] | string> {
  tally.requests++;
  const res = await fetch(`${app.base}/api/issues/export.xlsx`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status !== 200) return `answered ${res.status}`;
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(await res.arrayBuffer());
  const numbers: string[] = [];
  wb.worksheets[0]?.eachRow((row, i) => {
    if (i > 2) numbers.push(String(row.getCell(1).value ?? ''));
  });
  return numbers;
}

export async function probeAuthorisation(app: App, tokens: Record<string, string>): Promise<void> {
  console.log('\n== authorisation matrix (roles × units × reads and writes)');
  const visible: Record<string, Map<string, string>> = {};
  for (const actor of ACTORS) visible[actor] = await visibleIssues(app, tokens[actor]);
  const all = [...visible.dispatcher.keys()];
  let probes = 0;
  for (const actor of ACTORS.filter((a) => !CENTRE.has(a))) {
    const staff = { actor, token: tokens[actor] };
    probes += await probeIssueReads(app, staff, visible[actor], all);
    probes += await probeCentrePowers(app, staff, probes);
  }
  probes += await probeUnitClasses(app, tokens);
  // Another enterprise's owner session must not open this one's page: checked in the QR probe.
  ok(`${probes} authorisation probes across ${ACTORS.length} actors`);
}

/** A unit's staff member: the demo account's name and its token. */
interface Staff {
  actor: string;
  token: string;
}

/**
 * A unit's staff against issues: 15 outside its unit (detail, a reply, attachments, similar issues), the similar
 * issues of five of its own (each listed one readable) and the Excel export (no row its list lacks). `visible` is
 * the actor's list, `all` the centre's. Returns the number of probes.
 */
async function probeIssueReads(
  app: App,
  { actor, token }: Staff,
  visible: Map<string, string>,
  all: string[],
): Promise<number> {
  let probes = 0;
  const foreign = all.filter((id) => !visible.has(id)).slice(0, 15);
  for (const id of foreign) {
    probes++;
    const res = await call(app.base, 'GET', `/api/issues/${id}`, { token });
    if (res.status === 200) finding(`${actor} reads issue ${id} outside its unit (list hides it)`);
    const act = await call(app.base, 'POST', `/api/issues/${id}/actions/reply`, {
      token,
      body: { content: '越权答复内容测试' },
    });
    if (act.status < 400) finding(`${actor} replied to issue ${id} outside its unit (${act.status})`);
    const files = await call(app.base, 'GET', `/api/issues/${id}/attachments`, { token });
    if (files.status === 200) finding(`${actor} lists attachments of issue ${id} outside its unit`);
    const similar = await call(app.base, 'GET', `/api/issues/${id}/similar`, { token });
    if (similar.status === 200) finding(`${actor} lists issues similar to issue ${id} outside its unit`);
  }
  // Similar issues of its own: each one listed must be one the actor may read.
  for (const id of [...visible.keys()].slice(0, 5)) {
    probes++;
    const similar = await call(app.base, 'GET', `/api/issues/${id}/similar`, { token });
    for (const item of similar.json?.items ?? []) {
      if (visible.has(item.id)) continue;
      const read = await call(app.base, 'GET', `/api/issues/${item.id}`, { token });
      if (read.status !== 200)
        finding(`${actor} is shown issue ${item.number} as similar, but may not read it`);
    }
  }
  // The Excel export of the list: exactly the rows the actor's list gives.
  probes++;
  const exported = await exportedNumbers(app, token);
  if (typeof exported === 'string') finding(`${actor}'s issue export ${exported}`);
  else {
    const own = new Set(visible.values());
    const extra = exported.filter((n) => !own.has(n));
    if (extra.length)
      finding(`${actor}'s issue export holds ${extra.length} issues its list does not (${extra[0]})`);
  }
  return probes;
}

/**
 * A unit's staff against what only the centre or admins do: the centre's writes, writes on its own account,
 * unit and an enterprise, the centre's reads, and the enterprises' QR credentials (up to 400 probes in all,
 * counting `before`). Returns the number of probes.
 */
async function probeCentrePowers(app: App, { actor, token }: Staff, before: number): Promise<number> {
  let probes = 0;
  for (const [method, route, body] of CENTRE_WRITES) {
    probes++;
    const res = await call(app.base, method, route, { token, body });
    if (res.status < 400 || res.status >= 500) finding(`${actor} ${method} ${route} answered ${res.status}`);
  }
  // Writes on the actor's own account, unit and an enterprise: a unit's staff may make none of them.
  const me = (await call(app.base, 'GET', '/api/me', { token })).json?.user;
  const firstEnterprise = (await call(app.base, 'GET', '/api/enterprises?limit=1', { token })).json
    ?.items?.[0]?.id;
  const ownWrites: Array<[string, string, object]> = [
    ['PATCH', `/api/users/${me?.id}`, { role: 'admin' }],
    ['PATCH', `/api/units/${me?.unitId}`, { name: '越权改名' }],
    ['PATCH', `/api/enterprises/${firstEnterprise}`, { name: '越权改名' }],
    ['PUT', `/api/enterprises/${firstEnterprise}/pin`, { pin: '123456' }],
    ['POST', `/api/enterprises/${firstEnterprise}/qr/rotate`, {}],
  ];
  for (const [method, route, body] of ownWrites) {
    probes++;
    const res = await call(app.base, method, route, { token, body });
    if (res.status < 400 || res.status >= 500) finding(`${actor} ${method} ${route} answered ${res.status}`);
  }
  for (const route of CENTRE_READS) {
    probes++;
    const res = await call(app.base, 'GET', route, { token });
    if (res.status === 200) finding(`${actor} reads ${route} (${res.text.length} bytes)`);
  }
  const ents = await call(app.base, 'GET', '/api/enterprises?limit=50', { token });
  for (const e of ents.json?.items ?? []) {
    probes++;
    const detail = await call(app.base, 'GET', `/api/enterprises/${e.id ?? e._id}`, { token });
    const text = JSON.stringify(detail.json ?? {}) + JSON.stringify(e);
    if (/\/e\/[A-Za-z0-9_-]{16,}/.test(text))
      finding(`${actor} sees a QR credential of enterprise ${e.name}`);
    const qr = await call(app.base, 'GET', `/api/enterprises/${e.id ?? e._id}/qr.svg`, { token });
    if (qr.status === 200) finding(`${actor} downloads the QR code of enterprise ${e.name}`);
    if (before + probes > 400) break;
  }
  return probes;
}

/**
 * A unit's staff read the class problems their unit leads or co-handles, and no other: the director promotes a
 * candidate led by 递铺街道 (handler-anji-dipu's unit); its handler lists and opens it, 新市镇's staff see it in
 * neither their list nor by id. Returns the number of probes.
 */
async function probeUnitClasses(app: App, tokens: Record<string, string>): Promise<number> {
  const director = tokens.director;
  await call(app.base, 'POST', '/api/class-problems/cluster', { token: director });
  const candidate = (await call(app.base, 'GET', '/api/class-problems/candidates', { token: director })).json
    ?.items?.[0];
  const lead = (await call(app.base, 'GET', '/api/me', { token: tokens['handler-anji-dipu'] })).json?.user
    ?.unitId;
  const promoted = await call(app.base, 'POST', `/api/class-problems/candidates/${candidate?.id}/promote`, {
    token: director,
    body: { title: '越权读取探针', leadUnitId: lead, workingDays: 5, rootCause: '探针', measure: '探针' },
  });
  const id = promoted.json?.id;
  if (promoted.status !== 201 || !id) {
    finding(`the director could not promote a candidate to probe class reads (${promoted.status})`);
    return 0;
  }
  let probes = 0;
  const before = findings.length;
  for (const actor of ACTORS.filter((a) => !CENTRE.has(a))) {
    const leads = actor === 'handler-anji-dipu';
    probes += 2;
    const list = await call(app.base, 'GET', '/api/class-problems', { token: tokens[actor] });
    const listed = (list.json?.items ?? []).some((c: { id: string }) => c.id === id);
    const detail = await call(app.base, 'GET', `/api/class-problems/${id}`, { token: tokens[actor] });
    if (leads && (!listed || detail.status !== 200))
      finding(`${actor} cannot read the class its unit leads (list ${listed}, detail ${detail.status})`);
    if (!leads && (listed || detail.status !== 404))
      finding(`${actor} reads a class another unit leads (list ${listed}, detail ${detail.status})`);
  }
  if (findings.length === before)
    ok(
      `class problems: the lead unit's handler reads its class, other units' staff neither list nor open it`,
    );
  return probes;
}

/**
 * The staff workbench's reads at concurrency 8: the issue list with each filter and sort the workbench offers
 * (IssueFilters.vue, issues.schema.ts), a second page through the `next` cursor, the list as a unit handler
 * (visibility `$or` over lead/co/consulted unit) and as a city leader (tier or hot lights), and the detail of
 * random existing issues, and the workbench's to-do counts (`GET /api/workbench`) as the centre's clerk and as
 * the busiest unit's handler, and the desk's card queue as one page of whole issues against its rows and one
 * detail per card; baseline `/healthz` at the same concurrency, measured in the same run. Targets
 * at 1,000,000: every list p50 < 20 ms, detail p50 < 10 ms (the workbench is held to the list's).
 */
import { DAY_MS } from '../shared/clock.ts';
import { printFlatness, recordFlat, sizes, withApp, type AppSession } from './lib/app/app-session.ts';
import { httpLoad, type LoadResult } from './lib/app/http-load.ts';
import { reportLoad } from './lib/app/load-report.ts';
import type { Size } from './lib/dataset/catalog.ts';
import { note, report } from './lib/report.ts';

const CONNECTIONS = 8;
/** `BENCH_LIST_ONLY=desk`: the desk's cards with their baselines only (a before/after pair in minutes). */
const DESK_ONLY = process.env.BENCH_LIST_ONLY === 'desk';

interface Variant {
  name: string;
  path: string;
  /** Who asks (default dispatcher, city-wide). */
  as?: string;
}

function variants(s: AppSession, page2: string | null): Variant[] {
  const { samples, asOf } = s.manifest;
  const yearAgo = new Date(asOf).getTime() - 365 * DAY_MS;
  const from = new Date(yearAgo - 30 * DAY_MS).toISOString();
  const to = new Date(yearAgo).toISOString();
  const list: Variant[] = [
    { name: 'plain', path: '' },
    { name: 'state=dispatched', path: 'state=dispatched' },
    { name: 'state=in_progress', path: 'state=in_progress' },
    { name: 'state=received,dispatched,in_progress', path: 'state=received,dispatched,in_progress' },
    { name: 'category=land', path: 'category=land' },
    { name: 'urgency=urgent', path: 'urgency=urgent' },
    { name: 'warning=red', path: 'warning=red' },
    { name: 'channel=hotline12345', path: 'channel=hotline12345' },
    { name: 'unitId (busiest unit)', path: `unitId=${samples.busiestUnitId}` },
    { name: 'enterpriseId (busiest)', path: `enterpriseId=${samples.busiestEnterpriseId}` },
    { name: 'from/to (30 days, a year ago)', path: `from=${from}&to=${to}` },
    { name: 'sort=dueAt', path: 'sort=dueAt' },
    { name: 'sort=dueAt&state=in_progress', path: 'sort=dueAt&state=in_progress' },
    { name: 'q=补贴 (text search)', path: `q=${encodeURIComponent('补贴')}` },
    { name: 'q=用电增容 (a rarer word)', path: `q=${encodeURIComponent('用电增容')}` },
    { name: 'q=<credit code> (one enterprise)', path: `q=${samples.creditCodes[0]}` },
  ];
  if (page2) list.push({ name: 'page 2 (next cursor)', path: `cursor=${encodeURIComponent(page2)}` });
  // Named by role, not username, so the flatness table lines the sizes up (the busiest unit differs).
  if (samples.handlerUsername)
    list.push({ name: "as the busiest unit's handler", path: '', as: samples.handlerUsername });
  list.push({ name: 'as leader', path: '', as: 'leader' });
  // The supervisor's 督查工作台 rows: the city's issues under 督办 in handling, due soonest.
  list.push({
    name: 'queue=supervised as supervisor',
    path: 'queue=supervised&sort=dueAt',
    as: 'supervisor',
  });
  return list;
}

async function firstNext(s: AppSession, token: string): Promise<string | null> {
  const res = await fetch(`${s.app.baseUrl}/api/issues?limit=20`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return ((await res.json()) as { next?: string }).next ?? null;
}

function reportRead(label: string, r: LoadResult, health: LoadResult, p50: string, size: Size): void {
  reportLoad(label, r, { name: '/healthz', result: health }, { p50 });
  recordFlat(`${label} p50 ms`, size, r.completed ? r.p50 : NaN);
  recordFlat(`${label} CPU ms/request`, size, r.cpuMsPerRequest);
}

for (const size of sizes()) {
  await withApp('staff list and detail', size, async (s) => {
    const tokens = new Map<string, string>();
    const token = async (user: string) => {
      if (!tokens.has(user)) tokens.set(user, await s.login(user));
      return tokens.get(user)!;
    };
    const load = async (paths: string[], user = 'dispatcher') =>
      httpLoad({
        baseUrl: s.app.baseUrl,
        pid: s.app.pid,
        connections: CONNECTIONS,
        headers: { authorization: `Bearer ${await token(user)}` },
        paths,
        commands: s.commands,
      });
    const health = await httpLoad({
      baseUrl: s.app.baseUrl,
      pid: s.app.pid,
      connections: CONNECTIONS,
      paths: ['/healthz'],
    });
    report({ name: '/healthz c=8 (baseline)', value: health.rps, unit: 'req/s' });
    note(`the busiest unit's handler is ${s.manifest.samples.handlerUsername ?? 'none'}`);
    for (const v of DESK_ONLY ? [] : variants(s, await firstNext(s, await token('dispatcher')))) {
      const r = await load([`/api/issues?limit=20${v.path ? `&${v.path}` : ''}`], v.as);
      reportRead(`list ${v.name}`, r, health, '< 20 ms at 1,000,000', size);
    }
    const detail = await load(s.manifest.samples.issueIds.map((id) => `/api/issues/${id}`));
    reportRead('detail GET /api/issues/:id', detail, health, '< 10 ms at 1,000,000', size);
    // The desk's card queue (待审核答复): one page of whole issues (view=cards), against what the desk loaded
    // before it: the page of rows, then each card's detail, one request each (CPU per screen load).
    const verify = `/api/issues?queue=verify&sort=dueAt&limit=20`;
    const shown = await fetch(`${s.app.baseUrl}${verify}`, {
      headers: { authorization: `Bearer ${await token('dispatcher')}` },
    });
    const cardCount = ((await shown.json()) as { items: unknown[] }).items.length;
    const rows = await load([verify]);
    reportRead('desk queue=verify rows', rows, health, '< 20 ms at 1,000,000 (as a list)', size);
    const cards = await load([`${verify}&view=cards`]);
    reportRead('desk queue=verify&view=cards', cards, health, '(one request per screen load)', size);
    const before = rows.cpuMsPerRequest + cardCount * detail.cpuMsPerRequest;
    report({
      name: `desk 待审核答复 load (${cardCount} cards), CPU`,
      value: cards.cpuMsPerRequest,
      unit: 'ms',
      baseline: { name: `rows + ${cardCount} details (before)`, value: before },
    });
    recordFlat('desk cards load CPU ms', size, cards.cpuMsPerRequest);
    // The first screen a staff member opens: the to-do queues' counts (server/workbench/queues.ts), the
    // centre's (clerk), the supervisor's (city-wide) and the busiest unit's handler's, whose queues filter
    // that unit's open issues.
    const workbench = DESK_ONLY
      ? []
      : [
          { name: 'clerk', as: 'clerk' },
          { name: 'supervisor', as: 'supervisor' },
        ];
    if (s.manifest.samples.handlerUsername && !DESK_ONLY)
      workbench.push({ name: "the busiest unit's handler", as: s.manifest.samples.handlerUsername });
    for (const w of workbench) {
      const r = await load(['/api/workbench'], w.as);
      reportRead(
        `workbench GET /api/workbench as ${w.name}`,
        r,
        health,
        '< 20 ms at 1,000,000 (as a list)',
        size,
      );
    }
  });
}
printFlatness();

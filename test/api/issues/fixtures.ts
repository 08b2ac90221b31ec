// Issue API test fixtures: an app seeded with units, demo accounts and enterprises but no demo issues (each
// suite makes the issues it asserts on), plus small helpers to create issues and perform actions as a user.
import request from 'supertest';
import { seedDemo, type SeedSummary } from '../../../server/seed/index.ts';
import type { EnterpriseDoc, UnitDoc } from '../../../server/models/index.ts';
import { TEST_HASH, useTestApp, type TestApp, type TestAppOptions } from '../helpers.ts';

export interface IssueTestApp extends TestApp {
  data: SeedSummary;
}

export function useIssueApp(options: Pick<TestAppOptions, 'deps' | 'env'> = {}): IssueTestApp {
  const t = useTestApp({ ...options, seed: false }) as IssueTestApp;
  before(async function () {
    this.timeout(60_000);
    t.data = await seedDemo(t.models, t.clock, { hashParams: TEST_HASH, issues: false });
  });
  return t;
}

export function unitByCode(t: IssueTestApp, code: string): UnitDoc {
  const unit = t.data.units.find((u) => u.code === code);
  if (!unit) throw new Error(`no seeded unit ${code}`);
  return unit;
}

/** The nth seeded enterprise of a county (deterministic demo data). */
export function enterpriseIn(t: IssueTestApp, region: string, nth = 0): EnterpriseDoc {
  const list = t.data.enterprises.filter((e) => e.region === region);
  if (!list[nth]) throw new Error(`no seeded enterprise #${nth} in ${region}`);
  return list[nth];
}

export const handlerOf = (code: string) => `handler-${code}`;
export const unitHeadOf = (code: string) => `unithead-${code}`;

export interface NewIssue {
  enterprise?: { creditCode: string } | { id: string };
  channel?: string;
  title?: string;
  content?: string;
  category?: string;
  urgency?: string;
  externalId?: string;
  contact?: { name?: string; phone?: string; email?: string };
}

export async function postIssue(t: IssueTestApp, as: string, body: NewIssue = {}) {
  const payload = {
    enterprise: body.enterprise ?? { creditCode: enterpriseIn(t, 'deqing').creditCode },
    channel: 'window',
    content: '企业反映厂房验收迟迟未办结，影响投产。',
    ...body,
  };
  return request(t.app)
    .post('/api/issues')
    .set(await t.auth(as))
    .send(payload);
}

/** A text the classifier cannot place with confidence (one weak keyword: 补贴 → policy, 0.33). */
export const VAGUE_TEXT = '企业负责人来电，反映补贴方面的事情，希望约时间面谈。';

/** Creates an issue that waits in `received`: no category given and a text too vague to classify. */
export async function receivedIssue(t: IssueTestApp, body: NewIssue = {}): Promise<string> {
  const res = await postIssue(t, 'dispatcher', { urgency: 'normal', content: VAGUE_TEXT, ...body });
  if (res.status !== 201 || res.body.state !== 'received')
    throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

export async function act(t: IssueTestApp, as: string, id: string, action: string, body: object = {}) {
  return request(t.app)
    .post(`/api/issues/${id}/actions/${action}`)
    .set(await t.auth(as))
    .send(body);
}

/** Performs an action that must succeed and returns the updated issue. */
export async function must(t: IssueTestApp, as: string, id: string, action: string, body: object = {}) {
  const res = await act(t, as, id, action, body);
  if (res.status !== 200) throw new Error(`${action} as ${as}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A received issue dispatched to `code` and signed by its handler: in_progress. */
export async function inProgressIssue(
  t: IssueTestApp,
  code = 'city-drc',
  body: NewIssue = {},
): Promise<string> {
  const id = await receivedIssue(t, body);
  await must(t, 'dispatcher', id, 'dispatch', { unitId: String(unitByCode(t, code)._id) });
  await must(t, handlerOf(code), id, 'sign');
  return id;
}

export async function getIssue(t: IssueTestApp, as: string, id: string) {
  return request(t.app)
    .get(`/api/issues/${id}`)
    .set(await t.auth(as));
}

/**
 * Every page of `GET /api/issues?<query>` as `as` reads it, `limit` rows a page, following `next` (up to
 * `maxPages` pages): the rows in order, the number of pages read, and the `next` left after the last.
 */
export async function readPages<T = { id: string }>(
  t: TestApp,
  as: string,
  query: string,
  limit: number,
  maxPages = 10,
): Promise<{ items: T[]; pages: number; next: string | undefined }> {
  const items: T[] = [];
  let next: string | undefined;
  let pages = 0;
  do {
    const cursor = next ? `&cursor=${encodeURIComponent(next)}` : '';
    const res = await request(t.app)
      .get(`/api/issues?${query ? `${query}&` : ''}limit=${limit}${cursor}`)
      .set(await t.auth(as))
      .expect(200);
    items.push(...(res.body.items as T[]));
    next = res.body.next;
    pages += 1;
  } while (next && pages < maxPages);
  return { items, pages, next };
}

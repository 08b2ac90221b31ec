// A fixed small set of issues for the KPI, export and monthly-report tests, written straight into the
// collection (only the fields the figures read). March 2026 (China time) holds I1–I7, February I8, April I9.
// The expected figures in kpis.test.ts are worked out by hand from this table.
import { Types } from 'mongoose';
import request from 'supertest';
import type { EnterpriseDoc, UnitDoc } from '../../server/models/index.ts';
import type { IssueTestApp } from './issues/fixtures.ts';
import { enterpriseIn, unitByCode } from './issues/fixtures.ts';

export const MARCH = { from: '2026-03-01', to: '2026-04-01' };

const at = (iso: string) => new Date(iso);

export interface KpiFixture {
  unitA: string;
  unitB: string;
  ids: Record<string, string>;
}

export type FixtureIssue = Record<string, unknown> & {
  unit: UnitDoc | null;
  ent: EnterpriseDoc;
  /** ISO instant. */
  createdAt: string;
};

let fixtureNumber = 0;

/** An issue document with every field the lists, queues and KPIs read; `o` overrides any of them. */
export function fixtureIssueDoc(o: FixtureIssue): Record<string, unknown> {
  fixtureNumber += 1;
  const n = fixtureNumber;
  const { ent, unit, createdAt: created, ...rest } = o;
  const due = at('2026-03-31T09:00:00Z');
  return {
    _id: new Types.ObjectId(),
    number: `HZ-2026-${String(900000 + n)}`,
    enterpriseId: ent._id,
    enterpriseName: ent.name,
    enterpriseCreditCode: ent.creditCode,
    region: ent.region,
    title: `样例问题 ${n}`,
    content: '企业反映的问题。',
    urgency: 'normal',
    unitId: unit?._id ?? null,
    unitName: unit?.name ?? null,
    coUnitIds: [],
    consultUnitIds: [],
    tier: 'section',
    warning: 'none',
    deadlines: unit ? { startAt: at(created), resolveBy: due } : null,
    dueAt: unit ? due : null,
    signedAt: null,
    signedLate: null,
    repliedLate: null,
    returnCount: 0,
    redoCount: 0,
    extensionCount: 0,
    callbackRequested: false,
    rating: null,
    ratingHistory: [],
    timeline: [],
    version: 1,
    createdBy: 'fixture',
    ...rest,
    createdAt: at(created),
    updatedAt: at(created),
  };
}

export async function insertKpiIssues(t: IssueTestApp): Promise<KpiFixture> {
  const A = unitByCode(t, 'city-drc');
  const B = unitByCode(t, 'deqing-centre');
  const E1 = enterpriseIn(t, 'deqing', 0);
  const E2 = enterpriseIn(t, 'anji', 0);
  const E3 = enterpriseIn(t, 'deqing', 1);
  const issue = (o: FixtureIssue) => fixtureIssueDoc(o);
  const signed = (late: boolean) => ({ signedAt: at('2026-03-15T02:00:00Z'), signedLate: late });
  const docs = {
    I1: issue({
      unit: A,
      ent: E1,
      category: 'policy',
      channel: 'window',
      state: 'closed',
      createdAt: '2026-03-03T02:00:00Z',
      ...signed(false),
      repliedLate: false,
      rating: { rating: 'good', level: 'very_satisfied' },
    }),
    I2: issue({
      unit: A,
      ent: E1,
      category: 'policy',
      channel: 'window',
      state: 'closed',
      createdAt: '2026-03-10T02:00:00Z',
      ...signed(true),
      repliedLate: true,
      returnCount: 1,
      rating: { rating: 'bad', level: 'dissatisfied' },
      ratingHistory: [{ rating: 'bad', level: 'very_dissatisfied', verification: 'removed' }],
    }),
    I3: issue({
      unit: A,
      ent: E2,
      category: 'land',
      channel: 'hotline12345',
      state: 'in_progress',
      createdAt: '2026-03-05T02:00:00Z',
      ...signed(false),
      warning: 'overdue',
      tier: 'leader',
    }),
    I4: issue({
      unit: B,
      ent: E3,
      category: 'land',
      channel: 'window',
      state: 'closed',
      createdAt: '2026-03-08T02:00:00Z',
      ...signed(false),
      repliedLate: false,
      redoCount: 1,
      rating: { rating: 'good', level: 'satisfied' },
      ratingHistory: [{ rating: 'bad', level: 'dissatisfied', verification: 'reasonable' }],
    }),
    I5: issue({
      unit: B,
      ent: E3,
      category: 'finance',
      channel: 'window',
      state: 'closed',
      createdAt: '2026-03-12T02:00:00Z',
      ...signed(false),
      repliedLate: false,
      extensionCount: 1,
      rating: { rating: 'good' },
    }),
    I6: issue({
      unit: null,
      ent: E2,
      category: 'policy',
      channel: 'qr',
      state: 'received',
      createdAt: '2026-03-20T02:00:00Z',
    }),
    I7: issue({
      unit: B,
      ent: E3,
      category: 'land',
      channel: 'window',
      state: 'merged',
      createdAt: '2026-03-09T02:00:00Z',
      deadlines: null,
      dueAt: null,
    }),
    I8: issue({
      unit: A,
      ent: E1,
      category: 'policy',
      channel: 'window',
      state: 'closed',
      createdAt: '2026-02-20T02:00:00Z',
      ...signed(false),
      repliedLate: false,
      rating: { rating: 'good', level: 'satisfied' },
    }),
    I9: issue({
      unit: A,
      ent: E1,
      category: 'policy',
      channel: 'window',
      state: 'dispatched',
      createdAt: '2026-04-02T02:00:00Z',
    }),
  };
  await t.models.Issue.collection.insertMany(Object.values(docs));
  return {
    unitA: String(A._id),
    unitB: String(B._id),
    ids: Object.fromEntries(Object.entries(docs).map(([k, d]) => [k, String(d._id)])),
  };
}

/** GET /api/kpis?`query` as `as` (a leader by default), expecting 200: the answer's body. */
export async function kpisOf(t: IssueTestApp, query: string, as = 'leader') {
  const res = await request(t.app)
    .get(`/api/kpis?${query}`)
    .set(await t.auth(as))
    .expect(200);
  return res.body;
}

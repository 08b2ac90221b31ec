// GET /api/kpis against figures worked out by hand from the fixed issues of kpi-fixture.ts, and against
// shared/kpi.ts (kpisBy / computeKpis) over the same issues for every grouping; roles, scope and bad input.
import { binary } from './channels/files.fixtures.ts';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { Types } from 'mongoose';
import { computeKpis, kpisBy, type KpiIssue } from '../../shared/kpi.ts';
import type { IssueDoc } from '../../server/models/index.ts';
import { refreshRollups } from '../../server/kpi/kpi-rollup.store.ts';
import { expectError } from './helpers.ts';
import { enterpriseIn, unitByCode, useIssueApp } from './issues/fixtures.ts';
import { fixtureIssueDoc, insertKpiIssues, MARCH, type KpiFixture } from './kpi-fixture.ts';

const RATE_OF = {
  signTimelyRate: 'signTimeliness',
  onTimeRate: 'onTimeCompletion',
  satisfactionRate: 'satisfaction',
  oneTimeRate: 'oneTimeResolution',
  repeatRate: 'repeatComplaint',
  returnRate: 'returnRate',
  rectificationRate: 'rectification',
} as const;

describe('GET /api/kpis', function () {
  this.timeout(60_000);
  const t = useIssueApp();
  let f: KpiFixture;

  before(async () => {
    f = await insertKpiIssues(t);
    const leader = await t.models.User.findOne({ username: 'leader' }).lean();
    const { _id: _drop, ...rest } = leader!;
    await t.models.User.collection.insertOne({ ...rest, username: 'leader-anji', region: 'anji' });
  });

  const get = async (qs: string, as = 'leader', status?: number) => {
    const res = await request(t.app)
      .get(`/api/kpis?${qs}`)
      .set(await t.auth(as));
    if (status !== undefined && res.status !== status)
      throw new Error(`${qs} as ${as}: ${res.status} ${JSON.stringify(res.body)}`);
    return res;
  };

  const march = `from=${MARCH.from}&to=${MARCH.to}`;

  it('per unit, March: every figure as worked out by hand', async () => {
    const res = await get(`groupBy=unit&${march}`, 'leader', 200);
    const byKey = Object.fromEntries(res.body.items.map((i: { key: string }) => [String(i.key), i]));
    expect(Object.keys(byKey)).to.have.members([f.unitA, f.unitB, 'null']);
    expect(byKey[f.unitA]).to.include({
      name: '市发展和改革委员会',
      received: 3,
      closed: 2,
      backlog: 1,
      overdue: 1,
      signTimelyRate: 2 / 3,
      onTimeRate: 0.5,
      satisfactionRate: 0.5,
      oneTimeRate: 0.5,
      repeatRate: 1 / 3,
      returnRate: 1 / 3,
      rectificationRate: null,
    });
    expect(byKey[f.unitB]).to.include({
      received: 2,
      closed: 2,
      backlog: 0,
      overdue: 0,
      signTimelyRate: 1,
      onTimeRate: 1,
      satisfactionRate: 2 / 3,
      oneTimeRate: 0,
      repeatRate: 0,
      returnRate: 0,
      rectificationRate: 1,
    });
    expect(byKey.null).to.include({
      name: '未分派',
      received: 1,
      closed: 0,
      backlog: 1,
      signTimelyRate: null,
      onTimeRate: null,
      satisfactionRate: null,
      repeatRate: 0,
      returnRate: null,
    });
    expect(res.body.totals).to.include({
      received: 6,
      closed: 4,
      backlog: 2,
      overdue: 1,
      signTimelyRate: 0.8,
      onTimeRate: 0.75,
      satisfactionRate: 0.6,
      oneTimeRate: 0.25,
      repeatRate: 1 / 6,
      returnRate: 0.2,
      rectificationRate: 1,
    });
  });

  /** Runs `fn` with the clock at a China wall time, then puts it back. */
  async function at<T>(chinaTime: string, fn: () => Promise<T>): Promise<T> {
    const before = t.clock.now();
    t.clock.set(new Date(`${chinaTime.replace(' ', 'T')}+08:00`));
    try {
      return await fn();
    } finally {
      t.clock.set(before);
    }
  }

  it('a month that is over is compared with the whole calendar month before it (February holds I8 only)', async () => {
    const res = await at('2026-04-15 09:00', () => get(`groupBy=unit&${march}`, 'leader', 200));
    expect(res.body.previous).to.include({
      from: '2026-01-31T16:00:00.000Z',
      to: res.body.from,
      periodToDate: false,
    });
    expect(res.body.previous.totals).to.include({
      received: 1,
      closed: 1,
      onTimeRate: 1,
      satisfactionRate: 1,
    });
    expect(res.body.previous.items).to.have.length(1);
    expect(res.body.previous.items[0].key).to.equal(f.unitA);
  });

  it('while the month runs, it is compared with last month up to the same day and time (较上月同期)', async () => {
    // On 15 March February's I8 (20 February) is still ahead in last month's stretch: not counted.
    const mid = await at('2026-03-15 10:00', () => get(`groupBy=unit&${march}`, 'leader', 200));
    expect(mid.body.previous).to.include({
      from: '2026-01-31T16:00:00.000Z',
      to: '2026-02-15T02:00:00.000Z',
      periodToDate: true,
    });
    expect(mid.body.previous.totals).to.include({ received: 0, closed: 0 });
    expect(mid.body.previous.items).to.deep.equal([]);
    // On 25 March it is: the same stretch of February holds it.
    const late = await at('2026-03-25 10:00', () => get(`groupBy=unit&${march}`, 'leader', 200));
    expect(late.body.previous).to.include({ to: '2026-02-25T02:00:00.000Z', periodToDate: true });
    expect(late.body.previous.totals).to.include({ received: 1, closed: 1 });
    // The month's own figures are the same either way: only its comparison moves.
    expect(late.body.totals).to.deep.equal(mid.body.totals);
  });

  it('every grouping agrees with shared/kpi.ts over the same issues', async () => {
    const from = new Date('2026-02-28T16:00:00Z');
    const to = new Date('2026-03-31T16:00:00Z');
    const docs = await t.models.Issue.find({ createdAt: { $gte: from, $lt: to } }).lean<IssueDoc[]>();
    const issues = docs.map(
      (d) => ({ ...d, enterpriseId: String(d.enterpriseId) }) as unknown as KpiIssue & IssueDoc,
    );
    const fields = { unit: 'unitId', region: 'region', category: 'category', channel: 'channel' } as const;
    for (const [groupBy, field] of Object.entries(fields)) {
      const res = await get(`groupBy=${groupBy}&${march}`, 'leader', 200);
      const expected = kpisBy(issues, (i) => String(i[field] ?? null));
      expect(res.body.items.map((i: { key: string }) => String(i.key))).to.have.members(
        Object.keys(expected),
      );
      for (const item of res.body.items) {
        const want = expected[String(item.key)];
        for (const [api, kpi] of Object.entries(RATE_OF))
          expect(item[api], `${groupBy} ${item.key} ${api}`).to.equal(want[kpi].rate);
      }
      const all = computeKpis(issues);
      for (const [api, kpi] of Object.entries(RATE_OF))
        expect(res.body.totals[api], `${groupBy} totals ${api}`).to.equal(all[kpi].rate);
    }
  });

  it('及时签收率 counts an issue still unsigned past its sign-for limit (催签 sent) as a miss', async () => {
    const before = (await get(`groupBy=unit&${march}`, 'leader', 200)).body.totals.signTimelyRate as number;
    const base = (await t.models.Issue.findById(f.ids.I9).lean())!;
    const created = new Date('2026-03-16T02:00:00Z');
    const unsigned = {
      ...base,
      _id: new Types.ObjectId(),
      number: 'HZ-2026-987001',
      createdAt: created,
      updatedAt: new Date(),
      deadlines: { ...base.deadlines!, signUrgedAt: new Date('2026-03-16T06:00:00Z') },
      signedLate: true,
    };
    await t.models.Issue.collection.insertOne(unsigned);
    try {
      const res = await get(`groupBy=unit&${march}`, 'leader', 200);
      const docs = await t.models.Issue.find({
        createdAt: { $gte: new Date(MARCH.from), $lt: new Date(MARCH.to) },
      }).lean<IssueDoc[]>();
      const all = computeKpis(
        docs.map((d) => ({ ...d, enterpriseId: String(d.enterpriseId) }) as unknown as KpiIssue),
      );
      expect(all.signTimeliness.denominator).to.equal(6); // five signed, one past its limit unsigned
      expect(res.body.totals.signTimelyRate).to.equal(all.signTimeliness.rate).and.to.be.below(before);
    } finally {
      await t.models.Issue.collection.deleteOne({ _id: unsigned._id });
    }
  });

  it('every count of every unit row, 未分派 included, drills to exactly that many issues', async () => {
    // Issues no unit was given: one rejected at triage and one in consultation, beside the one waiting.
    const base = await t.models.Issue.findById(f.ids.I6).lean();
    expect(base!.unitId).to.equal(null);
    const extra = ['rejected', 'consulting'].map((state) => ({
      ...base!,
      _id: new Types.ObjectId(),
      number: `HZ-2026-98${state.length}`,
      state,
    }));
    await t.models.Issue.collection.insertMany(extra);
    try {
      const res = await get(`groupBy=unit&${march}`, 'leader', 200);
      // An ordinary list, or a drill-down's next page, is not counted.
      const plain = await request(t.app)
        .get('/api/issues?limit=2')
        .set(await t.auth('leader'))
        .expect(200);
      expect(plain.body).to.not.have.property('total');
      const paged = await request(t.app)
        .get(`/api/issues?${res.body.totals.drill.received}&limit=2`)
        .set(await t.auth('leader'))
        .expect(200);
      expect(paged.body.total).to.be.above(2);
      const second = await request(t.app)
        .get(
          `/api/issues?${res.body.totals.drill.received}&limit=2&cursor=${encodeURIComponent(paged.body.next)}`,
        )
        .set(await t.auth('leader'))
        .expect(200);
      expect(second.body).to.not.have.property('total');
      const unassigned = res.body.items.find((i: { key: string | null }) => i.key === null);
      expect(unassigned.received).to.be.at.least(3);
      for (const row of [...res.body.items, res.body.totals]) {
        for (const count of ['received', 'closed', 'backlog', 'overdue']) {
          const list = await request(t.app)
            .get(`/api/issues?${row.drill[count]}&limit=100`)
            .set(await t.auth('leader'))
            .expect(200);
          expect(list.body.items, `${row.key} ${count}`).to.have.length(row[count]);
          // The drill-down says how many it holds (the leader checks it against the figure).
          expect(list.body.total, `${row.key} ${count} total`).to.equal(row[count]);
        }
      }
    } finally {
      await t.models.Issue.collection.deleteMany({ _id: { $in: extra.map((d) => d._id) } });
    }
  });

  it('a timeliness rate drills to the issues it missed: signed late, closed late', async () => {
    const from = new Date('2026-02-28T16:00:00Z');
    const to = new Date('2026-03-31T16:00:00Z');
    const docs = await t.models.Issue.find({ createdAt: { $gte: from, $lt: to } }).lean<IssueDoc[]>();
    const issues = docs.map(
      (d) => ({ ...d, enterpriseId: String(d.enterpriseId) }) as unknown as KpiIssue & IssueDoc,
    );
    const ids = async (qs: string) => {
      const list = await request(t.app)
        .get(`/api/issues?${qs}&limit=100`)
        .set(await t.auth('leader'))
        .expect(200);
      return list.body.items.map((i: { id: string }) => i.id).sort();
    };
    const missed = (of: typeof issues) => ({
      sign: of.filter((i) => i.signedAt && i.signedLate !== false).map((i) => String(i._id)),
      reply: of.filter((i) => i.state === 'closed' && i.repliedLate === true).map((i) => String(i._id)),
    });
    const res = await get(`groupBy=unit&${march}`, 'leader', 200);
    const all = missed(issues);
    // The fixture misses both somewhere, and the lists are the rates' complements.
    expect(all.sign).to.have.length.above(0);
    expect(all.reply).to.have.length.above(0);
    expect(await ids(res.body.totals.drill.lateSign)).to.deep.equal(all.sign.sort());
    expect(await ids(res.body.totals.drill.lateReply)).to.deep.equal(all.reply.sort());
    const totals = computeKpis(issues);
    expect(all.reply.length).to.equal(
      totals.onTimeCompletion.denominator - totals.onTimeCompletion.numerator,
    );
    expect(all.sign.length).to.equal(totals.signTimeliness.denominator - totals.signTimeliness.numerator);
    for (const item of res.body.items) {
      const mine = missed(issues.filter((i) => String(i.unitId ?? null) === String(item.key)));
      expect(await ids(item.drill.lateSign), `${item.key} lateSign`).to.deep.equal(mine.sign.sort());
      expect(await ids(item.drill.lateReply), `${item.key} lateReply`).to.deep.equal(mine.reply.sort());
    }
    const bad = await request(t.app)
      .get('/api/issues?late=soon')
      .set(await t.auth('leader'));
    expectError(bad, 400, 'validation_failed');
  });

  it('per region and channel: names and volumes; every row drills to the list behind it', async () => {
    const res = await get(`groupBy=region&${march}`, 'leader', 200);
    const deqing = res.body.items.find((i: { key: string }) => i.key === 'deqing');
    expect(deqing).to.include({ name: '德清县', received: 4, closed: 4, backlog: 0 });
    const list = await request(t.app)
      .get(`/api/issues?${deqing.drill.closed}&limit=100`)
      .set(await t.auth('dispatcher'))
      .expect(200);
    expect(list.body.items).to.have.length(4);
    const anji = res.body.items.find((i: { key: string }) => i.key === 'anji');
    const anjiList = await request(t.app)
      .get(`/api/issues?${anji.drill.received}&limit=100`)
      .set(await t.auth('dispatcher'))
      .expect(200);
    expect(anjiList.body.items.map((i: { id: string }) => i.id)).to.have.members([f.ids.I3, f.ids.I6]);
    const byChannel = await get(`groupBy=channel&${march}`, 'leader', 200);
    const window = byChannel.body.items.find((i: { key: string }) => i.key === 'window');
    expect(window).to.include({ name: '综合窗口', received: 4 });
    const overdue = await request(t.app)
      .get(`/api/issues?${res.body.totals.drill.overdue}`)
      .set(await t.auth('dispatcher'))
      .expect(200);
    expect(overdue.body.items.map((i: { id: string }) => i.id)).to.deep.equal([f.ids.I3]);
    const received = await request(t.app)
      .get(`/api/issues?${res.body.totals.drill.received}&limit=100`)
      .set(await t.auth('dispatcher'))
      .expect(200);
    expect(received.body.items).to.have.length(6);
  });

  it("a leader's drill-down lists what the KPI counted: their KPI scope, not only their own domain", async () => {
    const ids = async (qs: string, as: string) => {
      const list = await request(t.app)
        .get(`/api/issues?${qs}&limit=100`)
        .set(await t.auth(as));
      expect(list.status, JSON.stringify(list.body)).to.equal(200);
      return list.body.items.map((i: { id: string }) => i.id) as string[];
    };
    const city = await get(`groupBy=region&${march}`, 'leader', 200);
    expect(city.body.totals.drill.received).to.contain('scope=kpi');
    const drilled = await ids(city.body.totals.drill.received, 'leader');
    expect(drilled).to.have.length(city.body.totals.received);
    expect(drilled).to.have.members(await ids(city.body.totals.drill.received, 'dispatcher'));
    // The same filters without the drill scope: the leader's own domain (leader tier, red or overdue) only.
    const plain = city.body.totals.drill.received.replace('scope=kpi', '');
    const domain = await ids(plain, 'leader');
    expect(domain.length).to.be.lessThan(drilled.length);

    // A county leader's figures and drill-down cover their county only.
    const county = await get(`groupBy=region&${march}`, 'leader-anji', 200);
    expect(county.body.items.map((i: { key: string }) => i.key)).to.deep.equal(['anji']);
    expect(await ids(county.body.totals.drill.received, 'leader-anji')).to.have.members([f.ids.I3, f.ids.I6]);

    // Every drilled row opens; acting stays within the leader's domain (403, not a pretended 404).
    const outside = drilled.find((id) => !domain.includes(id))!;
    await request(t.app)
      .get(`/api/issues/${outside}`)
      .set(await t.auth('leader'))
      .expect(200);
    const note = await request(t.app)
      .post(`/api/issues/${outside}/actions/note`)
      .set(await t.auth('leader'))
      .send({ text: '请加快办理', public: false });
    expectError(note, 403, 'forbidden');
    const notAnji = drilled.find((id) => ![f.ids.I3, f.ids.I6].includes(id))!;
    const hidden = await request(t.app)
      .get(`/api/issues/${notAnji}`)
      .set(await t.auth('leader-anji'));
    expectError(hidden, 404, 'not_found');
    // The admin reads figures, never issues: a drill scope gives it nothing.
    expect(await ids(city.body.totals.drill.received, 'admin')).to.deep.equal([]);
  });

  it('exports a drill-down list to Excel: the same rows the list gives, with the same visibility', async () => {
    const city = await get(`groupBy=region&${march}`, 'leader', 200);
    const xlsx = async (as: string) => {
      const res = await request(t.app)
        .get(`/api/issues/export.xlsx?${city.body.totals.drill.received}`)
        .set(await t.auth(as))
        .buffer(true)
        .parse(binary)
        .expect(200);
      expect(res.headers['content-type']).to.contain('spreadsheetml');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.body as ArrayBuffer);
      const rows = (wb.getWorksheet('工单清单')!.getSheetValues() as unknown[][]).slice(3);
      return rows.filter(Boolean).map((r) => String(r[1]));
    };
    const list = await request(t.app)
      .get(`/api/issues?${city.body.totals.drill.received}&limit=100`)
      .set(await t.auth('leader'))
      .expect(200);
    const numbers = list.body.items.map((i: { number: string }) => i.number);
    expect(numbers).to.have.length(city.body.totals.received);
    expect(await xlsx('leader')).to.deep.equal(numbers);
    expect(await xlsx('admin')).to.deep.equal([]);
  });

  it('exports Excel: a sheet per grouping, the figures of the dashboard', async () => {
    const res = await request(t.app)
      .get(`/api/kpis/export.xlsx?${march}`)
      .set(await t.auth('director'))
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(res.headers['content-type']).to.contain('spreadsheetml');
    expect(res.headers['content-disposition']).to.contain('kpi-2026-03-01-2026-03-31.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).to.deep.equal(['按部门', '按区域', '按类别', '按渠道']);
    const rows = wb.getWorksheet('按部门')!.getSheetValues() as unknown[][];
    const header = rows[2];
    const drc = rows.find((r) => r?.[1] === '市发展和改革委员会')!;
    // The dashboard's words: 积压 and 超期 (the file said 在办量 and 超期量).
    expect(header).to.include.members(['受理量', '办结量', '积压', '超期']);
    expect(drc[header.indexOf('受理量')]).to.equal(3);
    expect(drc[header.indexOf('按期办结率')]).to.equal(0.5);
    const total = rows.find((r) => r?.[1] === '合计')!;
    expect(total[header.indexOf('满意率')]).to.equal(0.6);
    expect(rows.find((r) => r?.[1] === '未分派')![header.indexOf('满意率')]).to.equal('—');
  });

  it('exports a period still running as the dashboard says it (至今, and the day), a past one to its last day', async () => {
    const label = async (chinaTime: string) => {
      const res = await at(chinaTime, async () =>
        request(t.app)
          .get(`/api/kpis/export.xlsx?${march}`)
          .set(await t.auth('director'))
          .buffer(true)
          .parse(binary)
          .expect(200),
      );
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.body as ArrayBuffer);
      return (wb.getWorksheet('按部门')!.getSheetValues() as unknown[][])[1][1];
    };
    expect(await label('2026-03-20 10:00')).to.equal(
      '统计区间：2026-03-01 至今（2026-03-20 导出）（按受理时间）',
    );
    expect(await label('2026-04-02 09:00')).to.equal('统计区间：2026-03-01 至 2026-03-31（按受理时间）');
  });

  it('the monthly report: KPIs, top categories, heat map, ranking, issues awaiting coordination', async () => {
    const report = async () =>
      request(t.app)
        .get('/api/reports/monthly?month=2026-03')
        .set(await t.auth('leader'))
        .expect(200);
    const res = await at('2026-04-02 09:00', report);
    const r = res.body;
    expect(r.month).to.equal('2026-03');
    expect(r.totals).to.include({ received: 6, onTimeRate: 0.75 });
    expect(r.previous).to.include({ periodToDate: false });
    expect(r.previous.totals).to.include({ received: 1 });
    // The report of the month still running compares with February up to the same day, as the dashboard does.
    const running = (await at('2026-03-15 10:00', report)).body;
    expect(running.previous).to.include({ to: '2026-02-15T02:00:00.000Z', periodToDate: true });
    expect(running.previous.totals).to.include({ received: 0 });
    expect(r.topCategories.map((c: { key: string; received: number }) => [c.key, c.received])).to.deep.equal([
      ['policy', 3],
      ['land', 2],
      ['finance', 1],
    ]);
    const cell = (c: string, region: string) =>
      r.heatMap.cells[r.heatMap.categories.findIndex((x: { id: string }) => x.id === c)][
        r.heatMap.regions.findIndex((x: { id: string }) => x.id === region)
      ];
    // The city's own order of its counties (德清县 before 安吉县), not the codes' alphabetical one.
    expect(r.heatMap.regions.map((x: { name: string }) => x.name)).to.deep.equal(['德清县', '安吉县']);
    expect([
      cell('policy', 'deqing'),
      cell('policy', 'anji'),
      cell('land', 'deqing'),
      cell('tax', 'anji'),
    ]).to.deep.equal([2, 1, 1, 0]);
    expect(r.ranking.map((u: { key: string }) => u.key)).to.deep.equal([f.unitA, f.unitB]);
    expect(r.awaitingCoordination.map((i: { id: string }) => i.id)).to.deep.equal([f.ids.I3]);
    // Once answered, a leader-tier issue waits for the centre or the enterprise, not for coordination.
    const I3 = new Types.ObjectId(f.ids.I3);
    const { state } = (await t.models.Issue.collection.findOne({ _id: I3 }))!;
    for (const answered of ['replied', 'awaiting_rating']) {
      await t.models.Issue.collection.updateOne({ _id: I3 }, { $set: { state: answered } });
      expect((await at('2026-04-02 09:00', report)).body.awaitingCoordination, answered).to.deep.equal([]);
    }
    await t.models.Issue.collection.updateOne({ _id: I3 }, { $set: { state } });
    expect(r.awaitingTotal).to.equal(1);
    // More than fit: the report lists those due soonest (the longest waiting), and says how many there are.
    const i3 = (await t.models.Issue.collection.findOne({ _id: I3 }))!;
    const many = Array.from({ length: 60 }, (_, n) => ({
      ...i3,
      _id: new Types.ObjectId(),
      number: `HZ-2026-97${String(n).padStart(4, '0')}`,
      state: 'consulting',
      dueAt: new Date(Date.UTC(2026, 3, 1) - n * 86_400_000),
    }));
    await t.models.Issue.collection.insertMany(many);
    try {
      const crowded = (await at('2026-04-02 09:00', report)).body;
      expect(crowded.awaitingTotal).to.equal(61);
      expect(crowded.awaitingCoordination).to.have.length(50);
      const dues = crowded.awaitingCoordination.map((i: { dueAt: string }) => i.dueAt);
      expect(dues).to.deep.equal([...dues].sort());
      expect(dues[0]).to.equal(many[59].dueAt.toISOString());
    } finally {
      await t.models.Issue.collection.deleteMany({ _id: { $in: many.map((d) => d._id) } });
    }
    expectError(
      await request(t.app)
        .get('/api/reports/monthly?month=2026-13')
        .set(await t.auth('leader')),
      400,
      'validation_failed',
    );
    expectError(
      await request(t.app)
        .get('/api/reports/monthly')
        .set(await t.auth('clerk')),
      403,
      'forbidden',
    );
  });

  it('the dashboard heat map covers the whole chosen period (a quarter), not only its first month', async () => {
    const heat = async (qs: string, as = 'leader') => {
      return request(t.app)
        .get(`/api/kpis/heat-map?${qs}`)
        .set(await t.auth(as));
    };
    type Heat = { categories: { id: string }[]; regions: { id: string }[]; cells: number[][] };
    const cell = (h: Heat) => (c: string, region: string) =>
      h.cells[h.categories.findIndex((x) => x.id === c)][h.regions.findIndex((x) => x.id === region)];
    // February holds I8, March I1–I7 (policy in 德清: I1, I2), April I9: all three are 德清's policy issues.
    const quarter = await heat('from=2026-02-01&to=2026-05-01');
    expect(quarter.status, JSON.stringify(quarter.body)).to.equal(200);
    expect(quarter.body.from).to.equal('2026-01-31T16:00:00.000Z');
    expect(quarter.body.to).to.equal('2026-04-30T16:00:00.000Z');
    expect(cell(quarter.body)('policy', 'deqing')).to.equal(4);
    const inMarch = (await heat(march)).body;
    expect(cell(inMarch)('policy', 'deqing')).to.equal(2);
    const report = await request(t.app)
      .get('/api/reports/monthly?month=2026-03')
      .set(await t.auth('leader'));
    expect({ categories: inMarch.categories, regions: inMarch.regions, cells: inMarch.cells }).to.deep.equal(
      report.body.heatMap,
    );
    expect((await heat('from=2026-02-01&to=2026-05-01', 'leader-anji')).body.regions).to.deep.equal([
      { id: 'anji', name: '安吉县' },
    ]);
    expectError(await heat('from=2026-03-10&to=2026-03-01'), 400, 'validation_failed');
    expectError(await heat(march, 'clerk'), 403, 'forbidden');
    expectError(await request(t.app).get('/api/kpis/heat-map'), 401, 'unauthorized');
  });

  it('a county leader sees their county only', async () => {
    const res = await get(`groupBy=region&${march}`, 'leader-anji', 200);
    expect(res.body.items.map((i: { key: string }) => i.key)).to.deep.equal(['anji']);
    expect(res.body.totals.received).to.equal(2);
  });

  it('defaults to the current month; leaders, the director, supervisors and admins may read it', async () => {
    for (const who of ['leader', 'director', 'supervisor', 'admin']) {
      const res = await get('', who, 200);
      expect(res.body.groupBy).to.equal('unit');
      expect(res.body.from).to.equal('2026-02-28T16:00:00.000Z');
      expect(res.body.to).to.equal('2026-03-31T16:00:00.000Z');
    }
  });

  it('401 without a token, 403 for desks and units, 400 for a bad grouping or period', async () => {
    expectError(await request(t.app).get('/api/kpis'), 401, 'unauthorized');
    for (const who of ['clerk', 'dispatcher', 'handler-city-drc', 'unithead-city-drc'])
      expectError(await get('', who), 403, 'forbidden');
    expectError(await get('groupBy=month'), 400, 'validation_failed');
    expectError(await get('from=2026-03-10&to=2026-03-01'), 400, 'validation_failed');
    expectError(await get('from=yesterday'), 400, 'validation_failed');
    expectError(await get('from=2020-01-01&to=2026-01-01'), 400, 'validation_failed');
    // Dates a Date can hold but no period reaches: 400 with the years, not a 500 from the arithmetic on them.
    for (const qs of ['to=-271821-04-21', 'from=-271821-04-20&to=-271820-04-20', 'from=%2B275760-01-01']) {
      const res = await get(qs);
      expectError(res, 400, 'validation_failed');
      expect(res.body.error.message).to.contain('2000年至2099年');
    }
    const xlsx = request(t.app).get('/api/kpis/export.xlsx?from=%2B275760-01-01&to=%2B275760-09-13');
    expectError(await xlsx.set(await t.auth('leader')), 400, 'validation_failed');
  });

  it('once the daily rollups are built, answers the same hand-worked figures from them', async () => {
    const before = await Promise.all(
      ['unit', 'region', 'category', 'channel'].map((g) => get(`groupBy=${g}&${march}`, 'leader', 200)),
    );
    const county = await get(`groupBy=unit&${march}`, 'leader-anji', 200);
    expect(before[0].body.source).to.equal('direct');
    await refreshRollups(t.models, new Date('2026-05-01T00:00:00Z'));
    for (const [k, g] of ['unit', 'region', 'category', 'channel'].entries()) {
      const res = await get(`groupBy=${g}&${march}`, 'leader', 200);
      expect(res.body.source).to.equal('rollups');
      expect({ ...res.body, source: 'direct' }, g).to.deep.equal(before[k].body);
    }
    const rolledCounty = await get(`groupBy=unit&${march}`, 'leader-anji', 200);
    expect({ ...rolledCounty.body, source: 'direct' }).to.deep.equal(county.body);
    // Last month cut in the middle of a day (25 February 10:00): that day is read live, to the same minute.
    const [rolled, direct] = await at('2026-03-25 10:00', () =>
      Promise.all([get(`groupBy=unit&${march}`, 'leader', 200), get(`groupBy=unit&${march}&source=direct`)]),
    );
    expect(rolled.body.previous.totals.received).to.equal(1);
    expect(rolled.body.previous).to.deep.equal(direct.body.previous);
  });

  it('lists no unit whose only issues of the period were merged into others (受理量 0 beside a 0.0% rate)', async () => {
    const tax = unitByCode(t, 'city-tax');
    // Dispatched to the tax bureau, then merged into another enterprise's issue: not received, not its work.
    await t.models.Issue.collection.insertOne(
      fixtureIssueDoc({
        unit: tax,
        ent: enterpriseIn(t, 'wuxing', 0),
        category: 'tax',
        channel: 'window',
        state: 'merged',
        createdAt: '2026-06-10T02:00:00Z',
      }) as never,
    );
    const res = await get('groupBy=unit&from=2026-06-01&to=2026-06-30', 'leader', 200);
    expect(res.body.items.map((i: { key: string }) => String(i.key))).to.not.include(String(tax._id));
    expect(res.body.totals.received).to.equal(0);
  });
});

// The daily KPI rollups give exactly the direct aggregation's answer: a random history (merged issues,
// enterprises whose issues span regions, repeats across period edges, late ratings), for every grouping,
// several periods (aligned, cut short, reaching into today and the future) and the city or a county scope;
// then old issues change (state, category, enterprise, unit, a late rating) and a backdated one is imported,
// and the answers must still agree before the job has run (changed days built live) and after it (stored).
import { expect } from 'chai';
import { Types } from 'mongoose';
import request from 'supertest';
import { DAY_MS } from '../../shared/clock.ts';
import { dayNumber, dayStart } from '../../server/kpi/kpi-rollup.ts';
import { receivedByCategoryRegion } from '../../server/kpi/kpi-rollup.query.ts';
import { changedDays, runsOf } from '../../server/kpi/kpi-rollup-issues.ts';
import {
  readyState,
  refreshRollups,
  rollupDays,
  rollupState,
  WATERMARK_SLACK_MS,
} from '../../server/kpi/kpi-rollup.store.ts';
import { KPI_GROUP_BYS, type KpiPeriod } from '../../server/kpi/kpi.pipeline.ts';
import { countDirect, countPeriod } from '../../server/kpi/kpi.query.ts';
import { claimLease, runKpiRollup } from '../../server/jobs/kpi-rollup.job.ts';
import type { EnterpriseDoc, UnitDoc } from '../../server/models/index.ts';
import { useIssueApp, unitByCode } from './issues/fixtures.ts';
import { fixtureIssueDoc } from './kpi-fixture.ts';

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST_DAY = dayNumber(new Date('2026-01-01T00:00:00+08:00'));
const HISTORY_DAYS = 160;
/** The job's "now": 15:00 China time on the last day of the history. */
const NOW = new Date(dayStart(FIRST_DAY + HISTORY_DAYS - 1).getTime() + 15 * 3600_000);

describe('KPI daily rollups', function () {
  // Generous: the comparisons are many round trips, and the test machine is shared.
  this.timeout(900_000);
  const t = useIssueApp();
  const random = rng(20261130);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  let units: (UnitDoc | null)[];
  let enterprises: EnterpriseDoc[];
  const ids: Types.ObjectId[] = [];

  function randomIssue(createdAt: Date): Record<string, unknown> {
    const ent = pick(enterprises);
    const unit = pick(units);
    const state = pick([
      'received',
      'in_progress',
      'replied',
      'closed',
      'closed',
      'closed',
      'merged',
      'rejected',
    ]);
    const signed = unit && random() < 0.7;
    const rating = () =>
      pick([
        { rating: 'good', level: 'very_satisfied' },
        { rating: 'good', level: 'basically_satisfied' },
        { rating: 'bad', level: 'dissatisfied' },
        { rating: 'good' },
        { rating: 'bad', level: 'very_dissatisfied', verification: 'removed' },
      ]);
    return fixtureIssueDoc({
      ent,
      unit,
      createdAt: createdAt.toISOString(),
      // Some issues carry a region other than their enterprise's (the enterprise moved): scoped repeats differ.
      region: random() < 0.15 ? pick(['deqing', 'anji', 'wuxing']) : ent.region,
      category: pick(['policy', 'land', 'finance']),
      channel: pick(['window', 'hotline12345', 'wechat']),
      state,
      signedAt: signed ? createdAt : null,
      signedLate: signed ? random() < 0.3 : null,
      repliedLate: state === 'closed' ? random() < 0.3 : null,
      returnCount: random() < 0.2 ? 1 : 0,
      redoCount: random() < 0.15 ? 1 : 0,
      extensionCount: random() < 0.1 ? 1 : 0,
      rating: state === 'closed' && random() < 0.7 ? rating() : null,
      ratingHistory: random() < 0.2 ? [rating()] : [],
      warning: state === 'in_progress' && random() < 0.4 ? 'overdue' : 'none',
      deadlines: unit ? { startAt: createdAt } : null,
    });
  }

  before(async () => {
    units = [unitByCode(t, 'city-drc'), unitByCode(t, 'deqing-centre'), null];
    // Few enterprises, so the same enterprise and category come back often (repeats within and across days).
    enterprises = t.data.enterprises.filter((e) => ['deqing', 'anji'].includes(e.region)).slice(0, 8);
    const docs = [];
    for (let i = 0; i < 700; i++) {
      // Bunched in time, with exact ties: a second issue at the same instant is a repeat at distance 0.
      const day = FIRST_DAY + Math.floor(random() * HISTORY_DAYS);
      const at = new Date(dayStart(day).getTime() + Math.floor(random() * 4) * 6 * 3600_000);
      docs.push(randomIssue(at > NOW ? new Date(NOW.getTime() - 3600_000) : at));
    }
    await t.models.Issue.collection.insertMany(docs as never[]);
    ids.push(...docs.map((d) => d._id as Types.ObjectId));
  });

  const periods = (): Array<[string, KpiPeriod]> => {
    const day = (n: number) => dayStart(FIRST_DAY + n);
    return [
      ['a month', { from: day(31), to: day(59) }],
      ['the whole history', { from: day(0), to: day(HISTORY_DAYS) }],
      ['one day', { from: day(70), to: day(71) }],
      ['cut short mid-day', { from: day(40), to: new Date(day(100).getTime() + 5 * 3600_000) }],
      ['into today and the future', { from: day(120), to: day(HISTORY_DAYS + 20) }],
      ['starting before the first issue', { from: day(-30), to: day(45) }],
    ];
  };
  const scopes: Array<Record<string, unknown>> = [{}, { region: 'deqing' }];

  async function expectSameAsDirect(stage: string) {
    let compared = 0;
    for (const groupBy of KPI_GROUP_BYS) {
      for (const [label, period] of periods()) {
        for (const scope of scopes) {
          const what = `${stage}: ${groupBy}, ${label}, scope ${JSON.stringify(scope)}`;
          const direct = await countDirect(t, groupBy, period, scope);
          const { source, ...rolled } = await countPeriod(t, groupBy, period, scope);
          expect(source, what).to.equal('rollups');
          expect(Object.fromEntries(rolled.groups), what).to.deep.equal(Object.fromEntries(direct.groups));
          expect(rolled.totals, what).to.deep.equal(direct.totals);
          compared += 1;
        }
      }
    }
    return compared;
  }

  /** Lets a pass go on for `chunks` more chunks of days, then says stop (as a lost lease or a shutdown would). */
  const stopAfter = (chunks: number) => ({ renew: async () => chunks-- > 0 });

  it('answers with the direct aggregation until the first build, then from the rollups', async () => {
    const period = periods()[0][1];
    expect((await countPeriod(t, 'unit', period, {})).source).to.equal('direct');
    const report = await refreshRollups(t.models, NOW);
    expect(report.built).to.equal(HISTORY_DAYS - 1); // every completed day; today stays live
    expect((await readyState(t.models))?.builtThrough).to.equal(dayNumber(NOW));
    expect((await countPeriod(t, 'unit', period, {})).source).to.equal('rollups');
  });

  it('a first build stopped part-way keeps what it stored and the next pass resumes there', async () => {
    const state = await rollupState(t.models).findOne({ _id: 'state' as never });
    await rollupState(t.models).updateOne({ _id: 'state' as never }, { $set: { format: 0 } }); // a new format
    const days = await rollupDays(t.models)
      .find({}, { projection: { _id: 1 } })
      .toArray();
    const firstDay = Math.min(...days.map((d) => d._id));

    const stopped = await refreshRollups(t.models, NOW, stopAfter(2)); // three chunks of 7 days
    expect(stopped.stopped).to.equal(true);
    expect(stopped.built).to.equal(21);
    expect(await readyState(t.models), 'not ready while building').to.equal(null);
    expect((await countPeriod(t, 'unit', periods()[0][1], {})).source).to.equal('direct');
    const partial = (await rollupState(t.models).findOne({ _id: 'state' as never }))!;
    const building = partial.building;
    expect(partial.build, 'a new build for the new format').to.not.equal(state!.build);
    expect(building.through).to.equal(firstDay + 21);
    expect(await rollupDays(t.models).countDocuments()).to.equal(21); // the old format's days went

    const aborted = new AbortController();
    aborted.abort();
    expect((await refreshRollups(t.models, NOW, { signal: aborted.signal })).built).to.equal(7); // one chunk
    const resumed = await refreshRollups(t.models, NOW);
    expect(resumed.stopped).to.equal(undefined);
    expect(resumed.built).to.equal(dayNumber(NOW) - firstDay - 28);
    const done = await readyState(t.models);
    expect(done?.builtThrough).to.equal(dayNumber(NOW));
    expect(done?.build, 'the same build throughout').to.equal(partial.build);
    expect(done?.watermark.getTime(), 'the watermark of the build’s start').to.equal(
      building.watermark.getTime(),
    );
    expect(await rollupDays(t.models).countDocuments()).to.equal(dayNumber(NOW) - firstDay);
  });

  it('equals the direct aggregation for every grouping, period and scope', async () => {
    const direct = await countDirect(t, 'unit', periods()[1][1], {});
    expect(direct.totals.repeats, 'the history has repeats').to.be.greaterThan(20);
    expect(direct.totals.counted).to.be.lessThan(direct.totals.total); // merged issues are in it
    expect(direct.totals.overdue).to.be.greaterThan(0);
    expect(await expectSameAsDirect('built')).to.equal(4 * 6 * 2);
  });

  it('still equals it after old issues change, before the job runs and after', async () => {
    const later = new Date(NOW.getTime() + 10 * 60_000);
    const old = (n: number) => ids[n];
    const set = (n: number, fields: Record<string, unknown>) =>
      t.models.Issue.collection.updateOne({ _id: old(n) }, { $set: { ...fields, updatedAt: later } });
    const [other] = enterprises.slice(-1);
    await set(3, { state: 'merged' }); // unmakes its successor's repeat
    await set(5, { category: 'finance' }); // leaves one repeat chain, joins another
    await set(7, { enterpriseId: other._id, region: other.region }); // a provisional enterprise merged away
    await set(11, { unitId: units[1]?._id ?? null, state: 'in_progress', warning: 'overdue' }); // reopened
    await set(13, { state: 'closed', rating: { rating: 'good', level: 'satisfied' }, repliedLate: false });
    await set(17, { state: 'rejected' });
    // A late import: an old creation time, written now.
    const backdated = randomIssue(dayStart(FIRST_DAY + 50));
    await t.models.Issue.collection.insertOne({ ...backdated, updatedAt: later } as never);

    const state = await readyState(t.models);
    const dirty = await changedDays(t.models, state!.watermark, state!.builtThrough);
    expect(dirty.has(FIRST_DAY + 50)).to.equal(true);
    expect(dirty.size).to.be.greaterThan(7); // the changed issues' days and their successors'
    expect(await expectSameAsDirect('changed, not yet stored')).to.equal(48);

    // A pass stopped after its first chunk of changed days moves nothing: the next one finds the same changes.
    const next = new Date(NOW.getTime() + DAY_MS);
    expect((await refreshRollups(t.models, next, stopAfter(0))).stopped).to.equal(true);
    expect((await readyState(t.models))!.watermark).to.deep.equal(state!.watermark);
    expect(await changedDays(t.models, state!.watermark, state!.builtThrough)).to.deep.equal(dirty);
    expect(await expectSameAsDirect('changed, partly stored')).to.equal(48);

    // The next pass, a day later: the changed days are stored again and the completed day too.
    const report = await refreshRollups(t.models, next);
    expect(report.built).to.equal(1);
    expect(report.rebuilt).to.equal(dirty.size);
    expect(
      (await changedDays(t.models, (await readyState(t.models))!.watermark, dayNumber(next))).size,
    ).to.equal(0);
    expect(await expectSameAsDirect('stored again')).to.equal(48);
  });

  it('stores a long run of changed days again forward in time, as the first build does', async () => {
    // A catch-up sweep changes open issues created over the whole history: every day is dirty. A run of 28 days
    // or more is built like the first build (its 90 days before read once), not piece by piece.
    const state = (await readyState(t.models))!;
    const at = new Date(state.watermark.getTime() + 60_000);
    const from = dayStart(FIRST_DAY + 20);
    const to = dayStart(FIRST_DAY + 120);
    const some = await t.models.Issue.collection
      .find({ createdAt: { $gte: from, $lt: to }, state: { $ne: 'merged' } }, { projection: { _id: 1 } })
      .toArray();
    // Every third issue of 100 days turns overdue, and one in five of them changes category (repeats move).
    const touched = some.filter((_, n) => n % 3 === 0);
    for (const [n, { _id }] of touched.entries()) {
      const set = {
        warning: 'overdue',
        state: 'in_progress',
        updatedAt: at,
        ...(n % 5 ? {} : { category: 'land' }),
      };
      await t.models.Issue.collection.updateOne({ _id }, { $set: set, $inc: { version: 1 } });
    }
    const runs = runsOf(await changedDays(t.models, state.watermark, state.builtThrough));
    expect(Math.max(...runs.map(([a, b]) => b - a)), 'a long run of changed days').to.be.at.least(28);
    expect(await expectSameAsDirect('long run changed, not yet stored')).to.equal(48);
    const report = await refreshRollups(t.models, new Date(at.getTime() + WATERMARK_SLACK_MS + 60_000));
    expect(report.stopped).to.equal(undefined);
    expect(report.rebuilt).to.be.at.least(28);
    expect(await expectSameAsDirect('long run stored again')).to.equal(48);
  });

  it('a group every issue of a stored day leaves is gone from the answer, as in the aggregation', async () => {
    // Reads add a period's stored days once per job pass and take the changed days back out before adding them
    // built live: a group that only those days held must not stay behind as a row of zeros.
    const period = periods()[2][1]; // one stored day
    const state = (await readyState(t.models))!;
    const at = new Date(state.watermark.getTime() + 60_000);
    const before = await countPeriod(t, 'channel', period, {});
    expect(before.source).to.equal('rollups');
    expect(before.groups.size, 'the day has issues of several channels').to.be.greaterThan(1);
    await t.models.Issue.collection.updateMany(
      { createdAt: { $gte: period.from, $lt: period.to } },
      { $set: { channel: 'visit', updatedAt: at }, $inc: { version: 1 } },
    );
    const direct = await countDirect(t, 'channel', period, {});
    const { source, ...rolled } = await countPeriod(t, 'channel', period, {});
    expect(source).to.equal('rollups');
    expect([...rolled.groups.keys()]).to.deep.equal(['visit']);
    expect(Object.fromEntries(rolled.groups)).to.deep.equal(Object.fromEntries(direct.groups));
    expect(rolled.totals).to.deep.equal(direct.totals);
  });

  it('a read sees every write, also two writes to the same issue within one millisecond', async () => {
    // Reads share stored days and live builds (kpi-rollup-period.store.ts); a second write at the same instant
    // must still reach the next read. Today's issues are built live, so the cached live build is what is at
    // stake.
    const period = periods()[4][1];
    const state = (await readyState(t.models))!;
    // Created on the first day not stored (built live), written after the watermark as every write is.
    const createdAt = new Date(dayStart(state.builtThrough).getTime() + 3600_000);
    const at = new Date(state.watermark.getTime() + 60_000);
    const issue: Record<string, unknown> = {
      ...randomIssue(createdAt),
      state: 'in_progress',
      updatedAt: at,
      version: 1,
    };
    await t.models.Issue.collection.insertOne(issue as never);
    for (const category of ['finance', 'land', 'finance']) {
      await t.models.Issue.collection.updateOne(
        { _id: issue._id as Types.ObjectId },
        { $set: { category, updatedAt: at }, $inc: { version: 1 } },
      );
      const direct = await countDirect(t, 'category', period, {});
      const { source, ...rolled } = await countPeriod(t, 'category', period, {});
      expect(source).to.equal('rollups');
      expect(Object.fromEntries(rolled.groups), category).to.deep.equal(Object.fromEntries(direct.groups));
    }
  });

  it('gives the monthly heat map the same cells as the aggregation', async () => {
    const period = periods()[0][1];
    for (const scope of scopes) {
      const rolled = await receivedByCategoryRegion(t.models, period, scope);
      const direct = await t.models.Issue.collection
        .aggregate<{ _id: { c: string; r: string }; n: number }>([
          {
            $match: { createdAt: { $gte: period.from, $lt: period.to }, ...scope, state: { $ne: 'merged' } },
          },
          { $group: { _id: { c: '$category', r: '$region' }, n: { $sum: 1 } } },
        ])
        .toArray();
      const key = (c: { c: string; r: string; n: number }) => `${c.c}|${c.r}|${c.n}`;
      expect(rolled!.map(key).sort()).to.deep.equal(
        direct.map((d) => key({ c: d._id.c, r: d._id.r, n: d.n })).sort(),
      );
    }
  });

  it('GET /api/kpis answers the same with the rollups as with source=direct, for a county leader too', async () => {
    const leader = await t.models.User.findOne({ username: 'leader' }).lean();
    const { _id: _drop, ...rest } = leader!;
    await t.models.User.collection.insertOne({ ...rest, username: 'leader-deqing', region: 'deqing' });
    const from = '2026-02-01';
    const to = '2026-04-01';
    for (const as of ['leader', 'leader-deqing']) {
      for (const groupBy of KPI_GROUP_BYS) {
        const auth = await t.auth(as);
        const [a, b] = await Promise.all([
          request(t.app).get(`/api/kpis?groupBy=${groupBy}&from=${from}&to=${to}`).set(auth).expect(200),
          request(t.app).get(`/api/kpis?groupBy=${groupBy}&from=${from}&to=${to}&source=direct`).set(auth),
        ]);
        expect(a.body.source).to.equal('rollups');
        expect(b.body.source).to.equal('direct');
        const { source: _a, ...rolled } = a.body;
        const { source: _b, ...direct } = b.body;
        expect(rolled, `${as} ${groupBy}`).to.deep.equal(direct);
      }
    }
    const bad = await request(t.app)
      .get('/api/kpis?source=fast')
      .set(await t.auth('leader'));
    expect(bad.status).to.equal(400);
  });

  it("reads the days a later pass stored through an index, not every day's document", async () => {
    const state = (await readyState(t.models))!;
    await refreshRollups(t.models, new Date(NOW.getTime() + 3 * DAY_MS));
    const stats = (
      await rollupDays(t.models)
        .find({ pass: { $gt: state.pass } })
        .explain('executionStats')
    ).executionStats as { nReturned: number; totalDocsExamined: number };
    expect(stats.nReturned).to.be.greaterThan(0);
    expect(stats.totalDocsExamined).to.equal(stats.nReturned);
    expect(await rollupDays(t.models).countDocuments()).to.be.greaterThan(stats.nReturned);
  });

  it('lets one process at a time hold the job lease', async () => {
    const now = new Date(NOW.getTime() + 2 * DAY_MS);
    expect(await claimLease(t.models, 'a', now)).to.equal(true);
    expect(await claimLease(t.models, 'b', now)).to.equal(false);
    expect(await runKpiRollup(t.models, { now: () => now } as never, 'b')).to.equal(null);
    expect(await claimLease(t.models, 'a', now)).to.equal(true); // renewed by its holder
    // Expired: another process takes over.
    expect(await claimLease(t.models, 'b', new Date(now.getTime() + 11 * 60_000))).to.equal(true);
    expect(await rollupDays(t.models).countDocuments()).to.be.greaterThan(HISTORY_DAYS - 1);
  });
});

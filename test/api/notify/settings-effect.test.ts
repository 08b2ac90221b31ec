// Settings that take effect (issue 8): an admin's time-limit policy is validated, used for new issues at once,
// and moves the future deadlines of open issues in the background with a timeline note; a year missing from
// the holiday data is a warning from 1 October, and entering the year in one request ends it and moves the
// deadlines that cross it; a change of the code's own rule recomputes the open deadlines once.
import { expect } from 'chai';
import request from 'supertest';
import { pino } from 'pino';
import { Types } from 'mongoose';
import {
  createDeadlineRecomputer,
  recomputeAfterRuleChanges,
  type DeadlineRecomputer,
} from '../../../server/jobs/deadline-recompute.job.ts';
import { expectError } from '../helpers.ts';
import { getIssue, inProgressIssue, postIssue, useIssueApp } from '../issues/fixtures.ts';
import { china } from './notify-harness.ts';

describe('settings that take effect: the time-limit policy', () => {
  let deadlines: DeadlineRecomputer;
  const t = useIssueApp({
    deps: ({ models, clock }) => {
      deadlines = createDeadlineRecomputer({ models, clock, logger: pino({ level: 'silent' }) });
      return { deadlines };
    },
  });
  const put = async (as: string, value: unknown) =>
    request(t.app)
      .put('/api/settings/timeLimits')
      .set(await t.auth(as))
      .send({ value });

  it('refuses an invalid policy with the path of the bad value, and anyone but an admin', async () => {
    const bad = await put('admin', {
      urgencies: { normal: { resolve: { kind: 'working_days', days: -1 } } },
    });
    expectError(bad, 400, 'validation_failed');
    expect(bad.body.error.message).to.match(/urgencies\.normal\.resolve/);
    // In Chinese, with the field named, as every other setting's refusal (not zod's English).
    const word = await put('admin', { rectifyWorkingDays: 'x' });
    expectError(word, 400, 'validation_failed');
    expect(word.body.error).to.include({
      message: '时限设置无效：rectifyWorkingDays：应为数字',
      field: 'value.rectifyWorkingDays',
    });
    expect(bad.body.error.message).to.equal('时限设置无效：urgencies.normal.resolve.days：不能小于1');
    expectError(await put('dispatcher', {}), 403, 'forbidden');
  });

  it('moves the deadline of an open issue (with a timeline note) and applies to new issues at once', async () => {
    t.clock.set(china('2026-03-02 09:00'));
    const id = await inProgressIssue(t);
    const before = (await getIssue(t, 'dispatcher', id)).body;
    expect(before.deadlines.resolveBy).to.equal(china('2026-03-09 17:30').toISOString());
    t.clock.set(china('2026-03-03 10:00'));
    const res = await put('admin', { urgencies: { normal: { resolve: { kind: 'working_days', days: 8 } } } });
    expect(res.status).to.equal(200);
    expect(res.body.value.urgencies.normal.resolve).to.deep.equal({ kind: 'working_days', days: 8 });
    expect(res.body.value.urgencies.urgent.resolve).to.deep.equal({ kind: 'working_days', days: 3 });
    await deadlines.idle();
    const after = (await getIssue(t, 'dispatcher', id)).body;
    expect(after.deadlines.resolveBy).to.equal(china('2026-03-12 17:30').toISOString());
    const note = after.timeline.at(-1);
    expect(note).to.include({ action: 'note', actorId: 'system', public: true });
    expect(note.note).to.equal('因办理时限设置调整，承诺办结时间由2026-03-09调整为2026-03-12');
    const fresh = await postIssue(t, 'dispatcher', { category: 'land', urgency: 'normal' });
    expect(fresh.status).to.equal(201);
    if (fresh.body.state === 'dispatched')
      expect(fresh.body.deadlines.resolveBy).to.equal(china('2026-03-13 17:30').toISOString());
  });
});

describe('calendar: a missing year', () => {
  let deadlines: DeadlineRecomputer;
  const t = useIssueApp({
    deps: ({ models, clock }) => {
      deadlines = createDeadlineRecomputer({ models, clock, logger: pino({ level: 'silent' }) });
      return { deadlines };
    },
  });

  it('an open deadline counted by the earlier rule (1 January 2027 worked) is recomputed once per database', async () => {
    t.clock.set(china('2026-12-28 10:00'));
    const id = await inProgressIssue(t);
    expect((await getIssue(t, 'dispatcher', id)).body.deadlines.resolveBy).to.equal(
      china('2027-01-05 17:30').toISOString(),
    );
    // As the earlier rule stored it: Mon 28 Dec + 5 working days with 1 January worked.
    await t.models.Issue.collection.updateOne(
      { _id: new Types.ObjectId(id) },
      { $set: { 'deadlines.resolveBy': china('2027-01-04 17:30') } },
    );
    const opts = { models: t.models, clock: t.clock, logger: pino({ level: 'silent' }) };
    expect(await recomputeAfterRuleChanges(opts)).to.deep.equal(['deadlines.statutoryDays']);
    const after = (await getIssue(t, 'dispatcher', id)).body;
    expect(after.deadlines.resolveBy).to.equal(china('2027-01-05 17:30').toISOString());
    expect(after.timeline.at(-1).note).to.equal('因工作日历调整，承诺办结时间由2027-01-04调整为2027-01-05');
    // Recorded: a later start does not run it again.
    expect(await recomputeAfterRuleChanges(opts)).to.deep.equal([]);
  });

  it('is a warning for admins and the centre from 1 October; entering the year in one request ends it', async () => {
    t.clock.set(china('2026-09-30 10:00'));
    const admin = await t.auth('admin');
    expect(
      (await request(t.app).get('/api/calendar/warnings').set(admin).expect(200)).body.items,
    ).to.deep.equal([]);
    t.clock.set(china('2026-12-28 10:00'));
    const warned = await request(t.app)
      .get('/api/calendar/warnings')
      .set(await t.auth('dispatcher'))
      .expect(200);
    expect(warned.body.items.map((w: { year: number }) => w.year)).to.deep.equal([2027]);
    expectError(
      await request(t.app)
        .get('/api/calendar/warnings')
        .set(await t.auth('handler-city-drc')),
      403,
      'forbidden',
    );
    const overview = await request(t.app).get('/api/calendar').set(admin).expect(200);
    expect(overview.body.warnings).to.have.length(1);
    expect(overview.body.dataYears).to.not.include(2027);

    const id = await inProgressIssue(t);
    const due = (await getIssue(t, 'dispatcher', id)).body.deadlines.resolveBy;
    // Without data, Monday–Friday less the days the holiday law fixes: Fri 1 Jan 2027 (元旦) is off, so
    // Mon 28 Dec + 5 = Tue 5 Jan (it counted 1 January as a working day, Mon 4 Jan, before).
    expect(due).to.equal(china('2027-01-05 17:30').toISOString());
    const bad = await request(t.app)
      .put('/api/calendar/years/2027')
      .set(admin)
      .send({ offDays: ['2026-12-31'], workDays: [] });
    expectError(bad, 400, 'validation_failed');
    const saved = await request(t.app)
      .put('/api/calendar/years/2027')
      .set(admin)
      // An arrangement that also bridges Monday 4 January (the law alone cannot know that).
      .send({ offDays: ['2027-01-01', '2027-01-04', '2027-02-06', '2027-02-07'], workDays: ['2027-02-14'] })
      .expect(200);
    expect(saved.body).to.include({ year: 2027, offDays: 4, workDays: 1 });
    expect(saved.body.warnings).to.deep.equal([]);
    await deadlines.idle();
    const moved = (await getIssue(t, 'dispatcher', id)).body.deadlines.resolveBy;
    expect(moved).to.equal(china('2027-01-06 17:30').toISOString());
  });
});

// The sweep racing people and other sweepers, and recovering from a sweeper that stopped half-way: a human
// action that lands between the sweep's read and write is kept and the sweep retries on the fresh issue; a
// step a person already took is not fired again; a claim left by a crashed sweeper is taken over after its
// lease (not lost), and a claim whose write committed before the crash is repaired (not duplicated).
import { expect } from 'chai';
import { Types } from 'mongoose';
import request from 'supertest';
import type { IssueDoc } from '../../server/models/index.ts';
import { DEFAULT_LEASE_MS } from '../../server/jobs/escalation-sweep.job.ts';
import { handlerOf, must, useIssueApp, type IssueTestApp } from '../api/issues/fixtures.ts';
import {
  actionCounts,
  beforeSweepWrites,
  china,
  firedFor,
  inProgress,
  minuteAfter,
  stored,
  sweep,
  systemActions,
} from './sweep-helpers.ts';

const YELLOW = china('2026-02-26 17:30');
const RED = china('2026-02-27 17:30');

/** Runs `before` once, just before the sweep's bulk of version-checked writes that includes issue `id`. */
const beforeSweepWrite = (t: IssueTestApp, id: string, before: () => Promise<unknown>) =>
  beforeSweepWrites(t, { [id]: before });

/** A person's action retried on 409 conflict, as a client following the API contract does. */
async function persist(t: IssueTestApp, as: string, id: string, action: string, body: object) {
  for (;;) {
    const res = await request(t.app)
      .post(`/api/issues/${id}/actions/${action}`)
      .set(await t.auth(as))
      .send(body);
    if (res.status === 200) return res.body;
    if (res.status !== 409 || res.body.error.code !== 'conflict')
      throw new Error(`${action}: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

describe('escalation sweep: racing people', () => {
  const t = useIssueApp();

  it('a note landing between the sweep’s read and write is kept; the sweep retries and urges once', async () => {
    t.clock.set(china('2026-02-13 09:00'));
    const { id, code } = await inProgress(t);
    t.clock.set(minuteAfter(YELLOW));
    const restore = beforeSweepWrite(t, id, () =>
      must(t, handlerOf(code), id, 'note', { text: '已电话联系企业，正在协调。', public: true }),
    );
    let report;
    try {
      report = await sweep(t);
    } finally {
      restore();
    }
    expect(report.conflicts).to.equal(1);
    expect(firedFor(report, id)).to.deep.equal(['urge']);
    const actions = (await stored(t, id)).timeline.map((e) => e.action);
    expect(actions.slice(-2)).to.deep.equal(['note', 'urge']);
    expect(await actionCounts(t, id)).to.include({ note: 1, urge: 1 });
  });

  it('a supervisor urging by hand just before the sweep’s write: the step is not fired twice', async () => {
    t.clock.set(china('2026-02-13 09:00'));
    const { id } = await inProgress(t, '人工催办与自动催办同时发生');
    t.clock.set(minuteAfter(YELLOW));
    const restore = beforeSweepWrite(t, id, () => must(t, 'supervisor', id, 'urge', { note: '请尽快办理' }));
    let report;
    try {
      report = await sweep(t);
    } finally {
      restore();
    }
    expect(firedFor(report, id)).to.deep.equal([]);
    const urges = (await stored(t, id)).timeline.filter((e) => e.action === 'urge');
    expect(urges.map((e) => e.actorRole)).to.deep.equal(['supervisor']);
    // The claim the sweep took for the moot step was given back.
    expect(await t.models.FollowUpClaim.countDocuments({ issueId: id })).to.equal(0);
    expect(firedFor(await sweep(t), id)).to.deep.equal([]);
  });

  it('sweeps and people writing at once: every note and exactly one supervise survive', async () => {
    t.clock.set(china('2026-02-13 09:00'));
    const { id, code } = await inProgress(t, '并发写入的问题');
    t.clock.set(minuteAfter(RED));
    const notes = [1, 2, 3].map((n) =>
      persist(t, handlerOf(code), id, 'note', { text: `进展 ${n}`, public: false }),
    );
    await Promise.all([...notes, sweep(t), sweep(t), sweep(t)]);
    await sweep(t);
    expect(await actionCounts(t, id)).to.include({ note: 3, urge: 1, supervise: 1 });
    expect(await systemActions(t, id)).to.deep.equal(['urge', 'supervise']);
  });
});

describe('escalation sweep: a sweeper that stopped half-way', () => {
  const t = useIssueApp();

  it('claimed but never written: held while the lease runs, then taken over and fired once', async () => {
    t.clock.set(china('2026-02-13 09:00'));
    const { id } = await inProgress(t);
    t.clock.set(minuteAfter(YELLOW));
    await t.models.FollowUpClaim.create({
      issueId: id,
      step: 'urge',
      dueAt: YELLOW,
      status: 'claimed',
      owner: 'crashed-sweeper',
      claimedAt: t.clock.now(),
    });
    const held = await sweep(t);
    expect(firedFor(held, id)).to.deep.equal([]);
    expect(held.deferred).to.equal(1);
    t.clock.advance(DEFAULT_LEASE_MS + 60_000);
    expect(firedFor(await sweep(t), id)).to.deep.equal(['urge']);
    const claims = await t.models.FollowUpClaim.find({ issueId: id }).lean();
    expect(claims).to.have.length(1);
    expect(claims[0].status).to.equal('applied');
    expect(claims[0].owner).to.not.equal('crashed-sweeper');
    expect(await systemActions(t, id)).to.deep.equal(['urge']);
  });

  it('written but not marked applied: the repair pass marks it, nothing fires twice', async () => {
    t.clock.set(china('2026-02-13 09:00'));
    const { id } = await inProgress(t, '写入后崩溃的问题');
    t.clock.set(minuteAfter(RED));
    expect(firedFor(await sweep(t), id)).to.deep.equal(['urge', 'supervise']);
    await t.models.FollowUpClaim.updateOne(
      { issueId: id, step: 'supervise' },
      { $set: { status: 'claimed', owner: 'crashed-sweeper', claimedAt: t.clock.now(), appliedAt: null } },
    );
    t.clock.advance(DEFAULT_LEASE_MS + 60_000);
    const report = await sweep(t);
    expect(report.repaired).to.be.at.least(1);
    expect(firedFor(report, id)).to.deep.equal([]);
    const claim = await t.models.FollowUpClaim.findOne({ issueId: id, step: 'supervise' }).lean();
    expect(claim?.status).to.equal('applied');
    expect(await systemActions(t, id)).to.deep.equal(['urge', 'supervise']);
  });

  it('a stale claim for a step that is no longer due is released', async () => {
    t.clock.set(china('2026-02-13 09:00'));
    const { id } = await inProgress(t, '期限已变更的问题');
    const doc: IssueDoc = await stored(t, id);
    await t.models.FollowUpClaim.create({
      issueId: id,
      step: 'urge',
      dueAt: new Date(doc.deadlines!.yellowAt.getTime() - 86_400_000),
      status: 'claimed',
      owner: 'crashed-sweeper',
      claimedAt: t.clock.now(),
    });
    t.clock.advance(DEFAULT_LEASE_MS + 60_000);
    const report = await sweep(t);
    expect(report.repaired).to.be.at.least(1);
    expect(await t.models.FollowUpClaim.countDocuments({ issueId: id })).to.equal(0);
  });

  it('an issue whose write fails does not hold up the others in its batch; the next pass fires it', async () => {
    t.clock.set(china('2026-02-13 09:00'));
    const broken = (await inProgress(t, '写入失败的问题')).id;
    const healthy = (await inProgress(t, '正常的问题')).id;
    t.clock.set(minuteAfter(YELLOW));
    // A document the database refuses to append to: its statement of the batch's bulk write fails alone.
    const timeline = (await stored(t, broken)).timeline;
    await t.models.Issue.collection.updateOne(
      { _id: new Types.ObjectId(broken) },
      { $set: { timeline: 'x' } },
    );
    const report = await sweep(t);
    expect(report.failed).to.equal(1);
    expect(firedFor(report, healthy)).to.deep.equal(['urge']);
    expect(firedFor(report, broken)).to.deep.equal([]);
    expect(await t.models.FollowUpClaim.countDocuments({ issueId: broken })).to.equal(0);
    await t.models.Issue.collection.updateOne({ _id: new Types.ObjectId(broken) }, { $set: { timeline } });
    expect(firedFor(await sweep(t), broken)).to.deep.equal(['urge']);
  });
});

// One-time upgrades of stored issues (server/models/issue-upgrades.ts): issues stored before `sendBackCount`
// carry their send-backs only as timeline events, and those signed for before assignees existed their signer;
// start-up fills both in for the open ones once, and the core counts a finished one's timeline. An unsigned issue
// whose 催签 came before the 催签 marked it late is marked.
import { expect } from 'chai';
import request from 'supertest';
import { upgradeStoredIssues } from '../../server/models/issue-upgrades.ts';
import { toCore } from '../../server/commands/issue-store.ts';
import type { IssueDoc } from '../../server/models/index.ts';
import { enterpriseIn, handlerOf, unitByCode, useIssueApp } from './issues/fixtures.ts';
import { fixtureIssueDoc } from './kpi-fixture.ts';

const UNIT = 'anji-centre';

describe('stored issue upgrades: sendBackCount, assignees', function () {
  this.timeout(60_000);
  const t = useIssueApp();

  it('counts the send-backs of open issues once, is not run again, and leaves finished ones to the core', async () => {
    const unit = unitByCode(t, UNIT);
    const ent = enterpriseIn(t, 'anji', 0);
    const createdAt = t.clock.now().toISOString();
    const sendBack = { at: new Date(createdAt), action: 'send_back', actorId: 'x' };
    const sign = { at: new Date(createdAt), action: 'sign', actorId: 'x' };
    // Stored as an earlier version stored them: no sendBackCount.
    const twice = fixtureIssueDoc({
      ent,
      unit,
      createdAt,
      state: 'in_progress',
      timeline: [sendBack, sendBack],
    });
    const never = fixtureIssueDoc({ ent, unit, createdAt, state: 'in_progress', timeline: [sign] });
    // Counted before a reply reset the count: sent back, answered, then redone after a bad rating.
    const reply = { at: new Date(createdAt), action: 'reply', actorId: 'x' };
    const answered = fixtureIssueDoc({
      ent,
      unit,
      createdAt,
      state: 'in_progress',
      sendBackCount: 1,
      timeline: [sign, reply, sendBack, reply],
    });
    const closed = fixtureIssueDoc({ ent, unit, createdAt, state: 'closed', timeline: [sendBack] });
    // 催签 sent before it marked the issue late, and one still within its sign-for limit.
    const deadlines = { startAt: new Date(createdAt), resolveBy: new Date(createdAt) };
    const urged = fixtureIssueDoc({
      ent,
      unit,
      createdAt,
      state: 'dispatched',
      deadlines: { ...deadlines, signUrgedAt: new Date(createdAt) },
    });
    const waiting = fixtureIssueDoc({ ent, unit, createdAt, state: 'dispatched', deadlines });
    await t.models.Issue.collection.insertMany([twice, never, answered, closed, urged, waiting]);
    const stored = async (doc: Record<string, unknown>) =>
      (await t.models.Issue.collection.findOne({ _id: doc._id as never }))!.sendBackCount as unknown;

    expect(await upgradeStoredIssues(t.models, t.clock.now())).to.deep.equal({
      'issue.sendBackCount': 1,
      'issue.sendBackAnswered': 1,
      'issue.assigneeFromSign': 2,
      'issue.unsignedLate': 1,
      // No open red issue here (test/api/kpi-past-due.test.ts has them).
      'kpi.redIsOverdue': 0,
      // The seed stores each enterprise with the township its address names (enterprise-township.test.ts).
      'enterprise.township': 0,
      // Intake stores each issue with its enterprise's township (enterprise-township.test.ts has older ones).
      'issue.township': 0,
      // No follower bound itself into the seed's enterprises (channels/wechat-self-bound.test.ts has one).
      'enterprise.selfBoundFollowers': 0,
    });
    const lateOf = async (doc: Record<string, unknown>) =>
      (await t.models.Issue.collection.findOne({ _id: doc._id as never }))!.signedLate as unknown;
    expect(await lateOf(urged), '及时签收率 counts it as a miss').to.equal(true);
    expect(await lateOf(waiting)).to.equal(null);
    expect(await stored(twice)).to.equal(2);
    expect(await stored(never)).to.equal(undefined);
    expect(await stored(answered), 'answered since it was sent back').to.equal(0);
    // Signed for before assignees existed: its signer is now its assignee.
    const signed = await t.models.Issue.collection.findOne({ _id: never._id as never });
    expect(signed!.assigneeId).to.equal('x');
    expect(await stored(closed)).to.equal(undefined);
    const res = await request(t.app)
      .get('/api/issues?queue=returned')
      .set(await t.auth(handlerOf(UNIT)))
      .expect(200);
    expect(res.body.items.map((i: { id: string }) => i.id)).to.deep.equal([String(twice._id)]);

    // Recorded: a later start does not scan again.
    const later = fixtureIssueDoc({ ent, unit, createdAt, state: 'in_progress', timeline: [sendBack] });
    await t.models.Issue.collection.insertOne(later);
    expect(await upgradeStoredIssues(t.models, t.clock.now())).to.deep.equal({});
    expect(await stored(later)).to.equal(undefined);

    // A finished one, or one written by an earlier version meanwhile: the core counts its timeline's
    // send-backs since the last reply.
    for (const doc of [closed, later]) {
      const legacy = await t.models.Issue.collection.findOne({ _id: doc._id as never });
      expect(toCore(legacy as unknown as IssueDoc).sendBackCount).to.equal(1);
    }
    const reanswered = { ...later, timeline: [sendBack, reply] };
    expect(toCore(reanswered as unknown as IssueDoc).sendBackCount).to.equal(0);
  });
});

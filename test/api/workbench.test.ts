// GET /api/workbench (queue counts, a unit head's load) and GET /api/issues?queue= (the queues' issues), with
// issues made through the API (intake, sign) and, for states that take many steps, written directly.
import { expect } from 'chai';
import { Types } from 'mongoose';
import request from 'supertest';
import { expectError } from './helpers.ts';
import {
  enterpriseIn,
  handlerOf,
  must,
  postIssue,
  readPages,
  unitByCode,
  unitHeadOf,
  useIssueApp,
} from './issues/fixtures.ts';
import { upgradeStoredIssues } from '../../server/models/issue-upgrades.ts';
import { fixtureIssueDoc } from './kpi-fixture.ts';

const UNIT = 'deqing-centre';

describe('to-do queues: GET /api/workbench and GET /api/issues?queue=', function () {
  this.timeout(60_000);
  const t = useIssueApp();
  const ids: Record<string, string> = {};

  before(async () => {
    for (const name of ['a', 'b', 'c']) {
      const res = await postIssue(t, 'dispatcher', {
        category: 'land',
        urgency: 'normal',
        content: `厂房验收迟迟未办理，影响投产（${name}）`,
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body.state).to.equal('dispatched');
      expect(res.body.unitId).to.equal(String(unitByCode(t, UNIT)._id));
      ids[name] = res.body.id;
    }
    await must(t, handlerOf(UNIT), ids.a, 'sign');
    const unit = unitByCode(t, UNIT);
    const ent = enterpriseIn(t, 'deqing', 2);
    const other = unitByCode(t, 'city-sci');
    const at = t.clock.now().toISOString();
    const docs = {
      overdue: { state: 'in_progress', warning: 'overdue' },
      // Red from the due time on (DESIGN §5): past due, so 已超期 and not 即将到期, as its card's 超时 says.
      pastDue: { state: 'dispatched', warning: 'red' },
      yellow: { state: 'in_progress', warning: 'yellow' },
      // Replied late and waiting for the rating: its lights stay, but nothing is left to do in the unit.
      repliedRed: { state: 'awaiting_rating', warning: 'red' },
      repliedOverdue: { state: 'awaiting_rating', warning: 'overdue' },
      redo: { state: 'in_progress', redoCount: 1 },
      // As the centre's send_back action stores it: the event and the count the queue reads.
      sentBack: {
        state: 'in_progress',
        sendBackCount: 1,
        timeline: [{ at: new Date(at), action: 'send_back', actorId: 'x' }],
      },
      // A consultation the director chairs (待会商决定), and one gone up to the leaders (not the director's).
      consulting: {
        state: 'consulting',
        consultUnitIds: [unit._id],
        consultation: { tier: 'director', unitIds: [String(unit._id)], inputs: {}, dueAt: new Date(at) },
      },
      leaderConsulting: {
        unit: other,
        state: 'consulting',
        tier: 'leader',
        consultation: { tier: 'leader', unitIds: [String(other._id)], inputs: {}, dueAt: new Date(at) },
      },
      received: { state: 'received', unit: null },
      replied: { state: 'replied' },
      callback: { state: 'awaiting_rating', callbackRequested: true },
      rating: { state: 'awaiting_rating' },
      // 督办 and 通报 (the supervisor's queues, city-wide): ones in handling at another unit, and two whose
      // handling is over (replied late and waiting for the rating; closed).
      supervised: { unit: other, state: 'in_progress', warning: 'red', supervised: true },
      bulletined: {
        unit: other,
        state: 'consulting',
        warning: 'overdue',
        supervised: true,
        bulletined: true,
      },
      repliedLate: {
        unit: other,
        state: 'awaiting_rating',
        warning: 'overdue',
        supervised: true,
        bulletined: true,
      },
      closedFlagged: { unit: other, state: 'closed', supervised: true, bulletined: true },
      // The enterprise rated it bad: the centre judges the rating (差评待核实).
      badRating: {
        state: 'awaiting_rating',
        rating: { rating: 'bad', at: new Date(at), source: 'enterprise', verification: 'pending' },
      },
    };
    const rows = Object.entries(docs).map(([k, o]) => {
      const doc = fixtureIssueDoc({ unit, ent, createdAt: at, ...o });
      ids[k] = String(doc._id);
      return doc;
    });
    await t.models.Issue.collection.insertMany(rows);
  });

  const workbench = async (as: string) => {
    const res = await request(t.app)
      .get('/api/workbench')
      .set(await t.auth(as));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return Object.fromEntries(res.body.queues.map((q: { id: string; count: number }) => [q.id, q.count]));
  };

  const queue = async (as: string, id: string) => {
    const res = await request(t.app)
      .get(`/api/issues?queue=${id}`)
      .set(await t.auth(as));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.items.map((i: { id: string }) => i.id);
  };

  it("a handler's queues: counts of their unit's issues", async () => {
    expect(await workbench(handlerOf(UNIT))).to.deep.equal({
      // The issue the handler signed for is theirs (its assignee).
      mine: 1,
      toSign: 3,
      inProgress: 5,
      dueSoon: 1,
      overdue: 2,
      returned: 1,
      consultInput: 1,
      rectify: 1,
    });
    const other = await workbench(handlerOf('city-drc'));
    expect(other.toSign).to.equal(0);
    expect(other.inProgress).to.equal(0);
  });

  it('each queue lists exactly the issues it counts, by deadline', async () => {
    const h = handlerOf(UNIT);
    expect(await queue(h, 'mine')).to.deep.equal([ids.a]);
    expect(await queue(h, 'toSign')).to.have.members([ids.b, ids.c, ids.pastDue]);
    expect(await queue(h, 'overdue')).to.have.members([ids.overdue, ids.pastDue]);
    expect(await queue(h, 'dueSoon')).to.deep.equal([ids.yellow]);
    expect(await queue(h, 'returned')).to.deep.equal([ids.sentBack]);
    expect(await queue(h, 'consultInput')).to.deep.equal([ids.consulting]);
    expect(await queue(h, 'rectify')).to.deep.equal([ids.redo]);
    expect(await queue(h, 'inProgress')).to.have.members([
      ids.a,
      ids.overdue,
      ids.yellow,
      ids.redo,
      ids.sentBack,
    ]);
    // Intake's issues are due at the end of their working days; the fixture's at the end of March.
    const res = await request(t.app)
      .get('/api/issues?queue=toSign')
      .set(await t.auth(h));
    const due = res.body.items.map((i: { dueAt: string }) => i.dueAt);
    expect(due.every(Boolean)).to.equal(true);
    expect(due).to.deep.equal([...due].sort());
  });

  it('a unit head also sees the load of each person in the unit (by who signed for the issue)', async () => {
    const res = await request(t.app)
      .get('/api/workbench')
      .set(await t.auth(unitHeadOf(UNIT)))
      .expect(200);
    expect(res.body.queues.find((q: { id: string }) => q.id === 'toSign').count).to.equal(3);
    const handler = await t.models.User.findOne({ username: handlerOf(UNIT) }).lean();
    const head = await t.models.User.findOne({ username: unitHeadOf(UNIT) }).lean();
    expect(res.body.load).to.deep.include({
      userId: String(handler!._id),
      name: handler!.name,
      open: 1,
      overdue: 0,
    });
    expect(res.body.load).to.deep.include({
      userId: String(head!._id),
      name: head!.name,
      open: 0,
      overdue: 0,
    });
  });

  it("the centre desks' queues: triage, replies to verify, bad ratings to judge, callbacks; dead letters belong to the inbox", async () => {
    for (const who of ['clerk', 'dispatcher', 'director']) {
      // 待审批 is the desk of those who may approve a request (test/api/issues/approval-queue.test.ts).
      const approval = who === 'clerk' ? {} : { approval: 0 };
      // 待会商决定 is the director's: who chairs the director tier.
      const convene = who === 'director' ? { convene: 1 } : {};
      expect(await workbench(who), who).to.deep.equal({
        triage: 1,
        ...approval,
        ...convene,
        verify: 1,
        ratingCheck: 1,
        callback: 1,
        deadLetters: 0,
      });
    }
    expect(await queue('director', 'convene')).to.deep.equal([ids.consulting]);
    expectError(
      await request(t.app)
        .get('/api/issues?queue=convene')
        .set(await t.auth('dispatcher')),
      400,
      'invalid_queue',
    );
    expect(await queue('dispatcher', 'ratingCheck')).to.deep.equal([ids.badRating]);
    expect(await queue('dispatcher', 'triage')).to.deep.equal([ids.received]);
    expect(await queue('dispatcher', 'verify')).to.deep.equal([ids.replied]);
    expect(await queue('dispatcher', 'callback')).to.deep.equal([ids.callback]);
    expectError(
      await request(t.app)
        .get('/api/issues?queue=deadLetters')
        .set(await t.auth('dispatcher')),
      400,
      'invalid_queue',
    );
  });

  it('a queue page comes as the desk cards (view=cards): the card fields as the detail answers them, no timeline', async () => {
    const res = await request(t.app)
      .get('/api/issues?queue=ratingCheck&view=cards')
      .set(await t.auth('dispatcher'))
      .expect(200);
    expect(res.body.items.map((i: { id: string }) => i.id)).to.deep.equal([ids.badRating]);
    const detail = await request(t.app)
      .get(`/api/issues/${ids.badRating}`)
      .set(await t.auth('dispatcher'))
      .expect(200);
    const card = res.body.items[0];
    for (const k of [
      'rating',
      'rateBy',
      'reply',
      'content',
      'contact',
      'running',
      'version',
      'callbackAttempts',
    ])
      expect(card[k], k).to.deep.equal(detail.body[k]);
    expect(card).to.not.have.any.keys('timeline', 'sources');
    expect(card.rating.verification).to.equal('pending');
    // Only for a queue's page (not the whole list, not a search), and at most a page of 20.
    for (const qs of [
      'view=cards',
      'queue=verify&view=cards&q=厂房',
      'queue=verify&view=cards&limit=50',
      'queue=verify&view=all',
    ])
      expectError(
        await request(t.app)
          .get(`/api/issues?${qs}`)
          .set(await t.auth('dispatcher')),
        400,
        'validation_failed',
      );
  });

  it('the centre desks count the inbound messages that failed to parse or route (接入失败), until settled', async () => {
    const at = t.clock.now();
    const entry = (status: string, n: number) => ({
      channel: 'hotline12345',
      externalId: `wb-dead-${status}-${n}`,
      source: 'channel:hotline12345',
      origin: { kind: 'channel' },
      receivedAt: at,
      acceptedAt: at,
      status,
      issueId: new Types.ObjectId(),
      reason: '无法识别企业',
      updatedAt: at,
    });
    const rows = await t.models.InboxEntry.insertMany([
      entry('failed', 1),
      entry('failed', 2),
      entry('processed', 3),
      entry('discarded', 4),
    ]);
    try {
      for (const who of ['clerk', 'dispatcher', 'director'])
        expect((await workbench(who)).deadLetters).to.equal(2);
    } finally {
      await t.models.InboxEntry.deleteMany({ _id: { $in: rows.map((r) => r._id) } });
    }
  });

  it("the supervisor's queues: issues in handling under 督办, under 通报, and the city's overdue ones", async () => {
    expect(await workbench('supervisor')).to.deep.equal({ supervised: 2, bulletined: 1, cityOverdue: 4 });
    expect(await queue('supervisor', 'supervised')).to.have.members([ids.supervised, ids.bulletined]);
    expect(await queue('supervisor', 'bulletined')).to.deep.equal([ids.bulletined]);
    expect(await queue('supervisor', 'cityOverdue')).to.have.members([
      ids.overdue,
      ids.pastDue,
      ids.supervised,
      ids.bulletined,
    ]);
    // Another desk's queue, and the supervisor's for anyone else.
    for (const [who, id] of [
      ['supervisor', 'triage'],
      ['dispatcher', 'supervised'],
      [handlerOf(UNIT), 'cityOverdue'],
    ])
      expectError(
        await request(t.app)
          .get(`/api/issues?queue=${id}`)
          .set(await t.auth(who)),
        400,
        'invalid_queue',
      );
  });

  it('401 without a token, 403 for roles without queues, 400 for a queue of another desk or an unknown one', async () => {
    expectError(await request(t.app).get('/api/workbench'), 401, 'unauthorized');
    for (const who of ['leader', 'admin'])
      expectError(
        await request(t.app)
          .get('/api/workbench')
          .set(await t.auth(who)),
        403,
        'forbidden',
      );
    expectError(
      await request(t.app)
        .get('/api/issues?queue=triage')
        .set(await t.auth(handlerOf(UNIT))),
      400,
      'invalid_queue',
    );
    expectError(
      await request(t.app)
        .get('/api/issues?queue=everything')
        .set(await t.auth('clerk')),
      400,
      'validation_failed',
    );
  });
  it('the queues without deadlines open first come, first served: oldest first, in pages', async () => {
    const unit = unitByCode(t, UNIT);
    const ent = enterpriseIn(t, 'deqing', 2);
    const now = t.clock.now().getTime();
    const hoursAgo = (h: number) => new Date(now - h * 3_600_000).toISOString();
    // Two more of each, taken in before and after the first (which was taken in now).
    const more = {
      triage: { state: 'received', unit: null },
      callback: { state: 'awaiting_rating', callbackRequested: true },
    };
    const made: Record<string, string[]> = { triage: [], callback: [] };
    const rows = [];
    for (const [q, o] of Object.entries(more))
      for (const h of [30, -2]) {
        const doc = fixtureIssueDoc({ unit, ent, createdAt: hoursAgo(h), ...o });
        made[q].push(String(doc._id));
        rows.push(doc);
      }
    await t.models.Issue.collection.insertMany(rows);
    const paged = async (id: string) =>
      (await readPages(t, 'dispatcher', `queue=${id}`, 2, 5)).items.map((i) => i.id);
    expect(await paged('triage')).to.deep.equal([made.triage[0], ids.received, made.triage[1]]);
    expect(await paged('callback')).to.deep.equal([made.callback[0], ids.callback, made.callback[1]]);
    await t.models.Issue.deleteMany({ _id: { $in: [...made.triage, ...made.callback] } });
  });

  // Last: it adds an issue to the unit.
  it('an issue signed for before assignees existed counts for its signer once start-up has upgraded it; one with an assignee, for the assignee', async () => {
    const head = await t.models.User.findOne({ username: unitHeadOf(UNIT) }).lean();
    const handler = await t.models.User.findOne({ username: handlerOf(UNIT) }).lean();
    const signedAt = new Date(t.clock.now());
    const sign = (actorId: string) => ({ at: signedAt, action: 'sign', actorId });
    const unit = unitByCode(t, UNIT);
    const ent = enterpriseIn(t, 'deqing', 2);
    await t.models.Issue.collection.insertMany([
      // No assignee: the head's own sign-for decides.
      fixtureIssueDoc({
        unit,
        ent,
        createdAt: signedAt.toISOString(),
        state: 'in_progress',
        warning: 'overdue',
        timeline: [sign(String(head!._id))],
      }),
      // An assignee: it decides, whoever signed.
      fixtureIssueDoc({
        unit,
        ent,
        createdAt: signedAt.toISOString(),
        state: 'in_progress',
        assigneeId: String(handler!._id),
        timeline: [sign(String(head!._id))],
      }),
    ]);
    expect(await upgradeStoredIssues(t.models, t.clock.now())).to.include({ 'issue.assigneeFromSign': 1 });
    const res = await request(t.app)
      .get('/api/workbench')
      .set(await t.auth(unitHeadOf(UNIT)))
      .expect(200);
    const loadOf = (id: unknown) => res.body.load.find((l: { userId: string }) => l.userId === String(id));
    expect(loadOf(head!._id)).to.include({ open: 1, overdue: 1 });
    expect(loadOf(handler!._id)).to.include({ open: 2, overdue: 0 });
  });

  it('a reply the centre sends back joins the unit\'s "returned" queue, counted and listed', async () => {
    const h = handlerOf(UNIT);
    await must(t, h, ids.a, 'reply', { text: '已联系园区协调验收事宜' });
    expect(await queue(h, 'returned')).to.deep.equal([ids.sentBack]);
    await must(t, 'dispatcher', ids.a, 'send_back', { reason: '答复未说明办理结果' });
    expect(await queue(h, 'returned')).to.have.members([ids.sentBack, ids.a]);
    expect((await workbench(h)).returned).to.equal(2);
    const stored = await t.models.Issue.findById(ids.a, { sendBackCount: 1 }).lean();
    expect(stored!.sendBackCount).to.equal(1);
  });

  it('an issue leaves "returned" once it is answered again: redone after a bad rating, it is only 差评整改', async () => {
    const h = handlerOf(UNIT);
    await must(t, h, ids.a, 'reply', { text: '已协调园区于本周完成验收' });
    await must(t, 'dispatcher', ids.a, 'verify');
    await must(t, 'clerk', ids.a, 'rate', { rating: 'bad', comment: '验收仍未完成' });
    await must(t, 'director', ids.a, 'verify_rating', { reasonable: true });
    expect(await queue(unitHeadOf(UNIT), 'rectify')).to.include(ids.a);
    expect(await queue(unitHeadOf(UNIT), 'returned')).to.deep.equal([ids.sentBack]);
    expect((await workbench(unitHeadOf(UNIT))).returned).to.equal(1);
    // Sent back again, it is back in "returned".
    await must(t, h, ids.a, 'reply', { text: '验收已完成，证书已发放' });
    await must(t, 'dispatcher', ids.a, 'send_back', { reason: '请附验收证书编号' });
    expect(await queue(h, 'returned')).to.have.members([ids.sentBack, ids.a]);
  });
});

// The workbench counts a unit's lights on the unit's lit index (UNIT_LIT_INDEX), from its keys alone. The trap
// it replaces, found at 1,000,000 issues: with no hint, the city's earliest-due overdue issues belong to the
// busiest unit, so the warning plan's first keys all match and it wins the planner's trial, then walks every
// overdue issue in the city (30,753 keys for 3,477); on the unit's index the count still read every open issue of
// the unit to test its light. Here the warning plan would fill the trial's first batch with the unit's
// earliest-due issues, and the unit's index would read 1,150 documents; the count reads 150 keys and no document,
// checked through explain of the aggregation countDocuments sends (with its hint) and through the API.
import { expect } from 'chai';
import { Types } from 'mongoose';
import request from 'supertest';
import type { Actor, Role } from '../../shared/roles.ts';
import { HANDLING_STATES, ISSUE_STATES, TERMINAL_STATES } from '../../shared/states.ts';
import { queueCountQuery } from '../../server/workbench/workbench.query.ts';
import { ASSIGNEE_ISSUES_INDEX, PAST_DUE_ASSIGNEE_INDEX } from '../../server/models/issue.indexes.ts';
import { PAST_DUE } from '../../server/policies/issue.policy.ts';
import { queuesOf } from '../../server/workbench/queues.ts';
import { enterpriseIn, handlerOf, unitByCode, unitHeadOf, useIssueApp } from './issues/fixtures.ts';
import { fixtureIssueDoc } from './kpi-fixture.ts';

const UNIT = 'deqing-centre';
/** The unit's overdue issues: the earliest due in the city, more than the trial's first batch (101). */
const OWN_OVERDUE = 150;
/** Its open issues that are not overdue, first on its index (awaiting_rating sorts first of the open states). */
const OWN_WAITING = 1000;
/** Overdue issues of other units, due later: more than the unit's open issues, as at city scale. */
const OTHERS_OVERDUE = 4000;

describe('workbench counts: each unit queue names its index, and the lights are counted from keys', function () {
  this.timeout(120_000);
  const t = useIssueApp();
  let actor: Actor;

  before(async () => {
    const unit = unitByCode(t, UNIT);
    const others = [unitByCode(t, 'city-drc'), unitByCode(t, 'city-sci')];
    const ent = enterpriseIn(t, 'deqing', 0);
    const at = (minutes: number) => new Date(Date.UTC(2026, 0, 5) + minutes * 60_000);
    const createdAt = '2025-12-01T02:00:00.000Z';
    const docs = [
      ...Array.from({ length: OWN_OVERDUE }, (_, i) =>
        fixtureIssueDoc({ ent, unit, createdAt, state: 'in_progress', warning: 'overdue', dueAt: at(i) }),
      ),
      ...Array.from({ length: OWN_WAITING }, (_, i) =>
        fixtureIssueDoc({ ent, unit, createdAt, state: 'awaiting_rating', dueAt: at(i) }),
      ),
      ...Array.from({ length: OTHERS_OVERDUE }, (_, i) =>
        fixtureIssueDoc({
          ent,
          unit: others[i % 2],
          createdAt,
          state: 'in_progress',
          warning: 'overdue',
          dueAt: at(1000 + i),
        }),
      ),
    ];
    await t.models.Issue.collection.insertMany(docs);
    const user = await t.models.User.findOne({ username: handlerOf(UNIT) }).lean();
    actor = {
      id: String(user!._id),
      username: user!.username,
      role: user!.role as Role,
      unitId: String(user!.unitId),
    };
  });

  it('"overdue" is counted from the unit\'s lit keys alone, not its open issues or the city\'s lights', async () => {
    const query = queueCountQuery(actor, 'overdue')!;
    const filter = { ...query.filter, unitId: new Types.ObjectId(actor.unitId!) };
    // As the driver's countDocuments sends it: an aggregation counting one group, with the hint.
    const pipeline = [{ $match: filter }, { $group: { _id: 1, n: { $sum: 1 } } }];
    const explained = (await t.models.Issue.collection
      .aggregate(pipeline, query.options)
      .explain('executionStats')) as unknown as {
      stages: {
        $cursor: { executionStats: Record<string, number>; queryPlanner: { winningPlan: unknown } };
      }[];
    };
    const cursor = explained.stages[0].$cursor;
    expect(cursor.executionStats.nReturned).to.equal(OWN_OVERDUE);
    expect(cursor.executionStats.totalKeysExamined).to.equal(OWN_OVERDUE);
    expect(cursor.executionStats.totalDocsExamined).to.equal(0);
    const plan = JSON.stringify(cursor.queryPlanner.winningPlan);
    expect(plan).to.include('"COUNT_SCAN"');
    expect(plan).to.include('"indexName":"unitId_1_warning_1_state_1_dueAt_1__id_1"');
  });

  it('every queue count reads index keys only, for a unit, the centre and its director', async () => {
    const unit = unitByCode(t, UNIT);
    const ent = enterpriseIn(t, 'deqing', 0);
    const createdAt = '2025-12-02T02:00:00.000Z';
    const some = (extra: Record<string, unknown>) =>
      [0, 1].map(() => fixtureIssueDoc({ ent, unit, createdAt, state: 'in_progress', ...extra }));
    // At least two issues in every queue, so that a count reading documents would show.
    await t.models.Issue.collection.insertMany([
      ...some({ assigneeId: actor.id }),
      ...some({ state: 'dispatched' }),
      ...some({ warning: 'yellow' }),
      ...some({ redoCount: 1 }),
      ...some({ sendBackCount: 1 }),
      ...some({
        state: 'consulting',
        consultUnitIds: [unit._id],
        consultation: {
          tier: 'director',
          unitIds: [String(unit._id)],
          inputs: {},
          dueAt: new Date(createdAt),
        },
      }),
      ...some({ state: 'received' }),
      ...some({ state: 'replied' }),
      ...some({ pendingApproval: { kind: 'extension', requestedAt: new Date(createdAt), workingDays: 3 } }),
      ...some({ state: 'awaiting_rating', callbackRequested: true }),
      ...some({
        state: 'awaiting_rating',
        rating: { rating: 'bad', at: new Date(createdAt), source: 'enterprise', verification: 'pending' },
      }),
      // Another unit's, so that the unit's own counts stay as they were.
      ...some({ unit: unitByCode(t, 'city-drc'), warning: 'red', supervised: true }),
      ...some({ unit: unitByCode(t, 'city-drc'), warning: 'overdue', supervised: true, bulletined: true }),
      // Flagged once and closed since: in the supervision indexes, in no queue.
      ...some({ state: 'closed', supervised: true, bulletined: true }),
    ]);
    const staff = async (role: Role): Promise<Actor> => {
      const user = await t.models.User.findOne({ role }).lean();
      return { id: String(user!._id), username: user!.username, role };
    };
    const [centre, supervisor] = [await staff('clerk'), await staff('supervisor')];
    const director = await staff('director');
    expect(queuesOf(supervisor)).to.have.length(3);
    expect(queuesOf(director)).to.include('convene');
    for (const who of [actor, centre, director, supervisor]) {
      for (const id of queuesOf(who)) {
        const query = queueCountQuery(who, id);
        if (!query) continue;
        // Cast as mongoose's countDocuments casts it, then sent as the driver sends that count.
        const filter = t.models.Issue.where(query.filter).cast(t.models.Issue);
        const pipeline = [{ $match: filter }, { $group: { _id: 1, n: { $sum: 1 } } }];
        const explained = (await t.models.Issue.collection
          .aggregate(pipeline, query.options)
          .explain('executionStats')) as unknown as {
          stages: { $cursor: { executionStats: { totalDocsExamined: number; nReturned: number } } }[];
        };
        const stats = explained.stages[0].$cursor.executionStats;
        expect(stats.nReturned, `${who.role} ${id}`).to.be.at.least(2);
        expect(stats.totalDocsExamined, `${who.role} ${id}`).to.equal(0);
      }
    }
  });

  it('every unit queue of the workbench names the index it is counted on', () => {
    for (const id of ['mine', 'toSign', 'inProgress', 'dueSoon', 'overdue', 'returned', 'rectify'] as const)
      expect(queueCountQuery(actor, id)?.options, id).to.have.property('hint');
  });

  it('the workbench shows the count', async () => {
    const res = await request(t.app)
      .get('/api/workbench')
      .set(await t.auth(handlerOf(UNIT)))
      .expect(200);
    const overdue = res.body.queues.find((q: { id: string }) => q.id === 'overdue');
    expect(overdue.count).to.equal(OWN_OVERDUE);
  });

  it("a unit head's load counts each person's issues from index keys alone", async () => {
    const unit = unitByCode(t, UNIT);
    const ent = enterpriseIn(t, 'deqing', 0);
    const createdAt = '2025-12-03T02:00:00.000Z';
    // Three overdue in handling, one red (past its due time too), and one replied late (open, and no longer
    // the person's overdue work).
    await t.models.Issue.collection.insertMany([
      ...['in_progress', 'in_progress', 'in_progress', 'awaiting_rating'].map((state) =>
        fixtureIssueDoc({ ent, unit, createdAt, state, warning: 'overdue', assigneeId: actor.id }),
      ),
      fixtureIssueDoc({ ent, unit, createdAt, state: 'in_progress', warning: 'red', assigneeId: actor.id }),
    ]);
    const unitId = new Types.ObjectId(actor.unitId!);
    const open = { unitId, state: { $in: ISSUE_STATES.filter((s) => !TERMINAL_STATES.includes(s)) } };
    type Stats = { nReturned: number; totalDocsExamined: number };
    const countStats = async (filter: object, hint: object) =>
      (
        (await t.models.Issue.collection
          .aggregate([{ $match: filter }, { $group: { _id: 1, n: { $sum: 1 } } }], { hint })
          .explain('executionStats')) as unknown as { stages: { $cursor: { executionStats: Stats } }[] }
      ).stages[0].$cursor.executionStats;
    const theirs = { ...open, assigneeId: actor.id };
    const count = await countStats(theirs, ASSIGNEE_ISSUES_INDEX);
    const late = { ...theirs, state: { $in: HANDLING_STATES }, ...PAST_DUE };
    const overdue = await countStats(late, PAST_DUE_ASSIGNEE_INDEX);
    expect([count.nReturned, overdue.nReturned]).to.deep.equal([7, 4]);
    expect([count.totalDocsExamined, overdue.totalDocsExamined]).to.deep.equal([0, 0]);
    const res = await request(t.app)
      .get('/api/workbench')
      .set(await t.auth(unitHeadOf(UNIT)))
      .expect(200);
    const mine = res.body.load.find((l: { userId: string }) => l.userId === actor.id);
    expect(mine).to.include({ open: 7, overdue: 4 });
  });
});

// The workbench counts a unit's queues on the unit's index (UNIT_ISSUES_INDEX), never the warning index. The
// trap, found at 1,000,000 issues: the city's earliest-due overdue issues belong to the busiest unit, so the
// warning plan's first keys all match and it wins the planner's trial, then walks every overdue issue in the
// city (30,753 keys for 3,477). Here too: the warning plan fills the trial's first batch with the unit's
// earliest-due issues while the unit's index is still among its issues that are not overdue, so only the hint
// keeps the count on the unit's index (1,150 keys, against 4,150); the count is also checked through the API.
import { expect } from 'chai';
import request from 'supertest';
import type { Actor, Role } from '../../shared/roles.ts';
import { queueCountQuery } from '../../server/workbench/workbench.query.ts';
import { enterpriseIn, handlerOf, unitByCode, useIssueApp } from './issues/fixtures.ts';
import { fixtureIssueDoc } from './kpi-fixture.ts';

const UNIT = 'deqing-centre';
/** The unit's overdue issues: the earliest due in the city, more than the trial's first batch (101). */
const OWN_OVERDUE = 150;
/** Its open issues that are not overdue, first on its index (awaiting_rating sorts first of the open states). */
const OWN_WAITING = 1000;
/** Overdue issues of other units, due later: more than the unit's open issues, as at city scale. */
const OTHERS_OVERDUE = 4000;

describe('workbench counts: a unit queue is counted on the unit index', function () {
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

  it('"overdue" reads about the unit\'s open issues, not every overdue issue in the city', async () => {
    const query = queueCountQuery(actor, 'overdue')!;
    // Through the model, as countDocuments sends it (mongoose casts the unit id).
    const explained = (await t.models.Issue.find(query.filter)
      .setOptions(query.options)
      .explain('executionStats')) as unknown as {
      executionStats: { totalKeysExamined: number; nReturned: number };
      queryPlanner: { winningPlan: unknown };
    };
    const stats = explained.executionStats;
    expect(stats.nReturned).to.equal(OWN_OVERDUE);
    expect(stats.totalKeysExamined).to.be.at.most(OWN_OVERDUE + OWN_WAITING + 10);
    expect(JSON.stringify(explained.queryPlanner.winningPlan)).to.include('"unitId"');
  });

  it('every unit queue of the workbench is counted on the unit index', () => {
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
});

// Command-level behaviour the HTTP tests cannot see: listeners hear a change only after it committed (and
// never a refused one), and the enterprise's own rating from the QR page is scoped to its own issues.
import { expect } from 'chai';
import { issueActionCommand } from '../../../server/commands/issue-action.command.ts';
import {
  databaseSettings,
  type IssueChange,
  type IssueCommandDeps,
} from '../../../server/commands/issue-deps.ts';
import { issueEnterpriseActionCommand } from '../../../server/commands/issue-enterprise-action.command.ts';
import type { Actor } from '../../../shared/roles.ts';
import { getIssue, handlerOf, inProgressIssue, must, useIssueApp } from './fixtures.ts';

describe('issue commands', () => {
  const t = useIssueApp();
  const heard: IssueChange[] = [];
  const deps = (): IssueCommandDeps => ({
    models: t.models,
    clock: t.clock,
    settings: databaseSettings(t.models),
    onChange: (c) => heard.push(c),
  });

  async function actorOf(username: string): Promise<Actor> {
    const u = await t.models.User.findOne({ username }).lean();
    if (!u) throw new Error(username);
    return {
      id: String(u._id),
      username,
      role: u.role,
      unitId: u.unitId ? String(u.unitId) : undefined,
      region: u.region,
    };
  }

  async function awaitingRating(): Promise<{ id: string; enterpriseId: string }> {
    const id = await inProgressIssue(t);
    await must(t, handlerOf('city-drc'), id, 'reply', { text: '已答复' });
    const verified = await must(t, 'dispatcher', id, 'verify');
    return { id, enterpriseId: verified.enterprise.id };
  }

  beforeEach(() => {
    heard.length = 0;
  });

  it('announces a committed action once, with the states before and after', async () => {
    const id = await inProgressIssue(t);
    const actor = await actorOf(handlerOf('city-drc'));
    await issueActionCommand(deps(), actor, { issueId: id, action: 'reply', input: { text: '已答复' } });
    expect(heard).to.have.length(1);
    expect(heard[0]).to.include({
      issueId: id,
      action: 'reply',
      fromState: 'in_progress',
      state: 'replied',
      actorId: actor.id,
    });
  });

  it('announces nothing for a refused or conflicting action', async () => {
    const id = await inProgressIssue(t);
    const actor = await actorOf(handlerOf('city-drc'));
    const refused = issueActionCommand(deps(), actor, { issueId: id, action: 'verify', input: {} });
    await refused.then(
      () => expect.fail('verify by a handler must be refused'),
      (err: { code?: string }) => expect(err.code).to.equal('forbidden'),
    );
    const stale = issueActionCommand(deps(), actor, {
      issueId: id,
      action: 'note',
      input: { text: 'x', public: false },
      expectedVersion: 1,
    });
    await stale.then(
      () => expect.fail('a stale version must conflict'),
      (err: { code?: string }) => expect(err.code).to.equal('conflict'),
    );
    expect(heard).to.deep.equal([]);
  });

  it('the enterprise rates its own issue from the QR page; the rating is marked as its own', async () => {
    const { id, enterpriseId } = await awaitingRating();
    const rated = await issueEnterpriseActionCommand(deps(), {
      enterpriseId,
      issueId: id,
      action: 'rate',
      input: { rating: 'good', level: 'very_satisfied' },
    });
    expect(rated.state).to.equal('closed');
    expect(rated.rating?.source).to.equal('enterprise');
    const last = (await getIssue(t, 'clerk', id)).body.timeline.at(-1);
    expect(last).to.include({ action: 'rate', actorRole: 'enterprise', public: true });
    expect(heard.map((c) => c.action)).to.deep.equal(['rate']);
  });

  it("another enterprise's issue is not found, and an owner can only rate", async () => {
    const { id } = await awaitingRating();
    const otherEnterprise = String((await t.models.Enterprise.findOne({ region: 'anji' }).lean())?._id);
    const notMine = issueEnterpriseActionCommand(deps(), {
      enterpriseId: otherEnterprise,
      issueId: id,
      action: 'rate',
      input: { rating: 'bad' },
    });
    await notMine.then(
      () => expect.fail('must be refused'),
      (err: { code?: string }) => expect(err.code).to.equal('not_found'),
    );
    const issue = await t.models.Issue.findById(id).lean();
    const note = issueEnterpriseActionCommand(deps(), {
      enterpriseId: String(issue?.enterpriseId),
      issueId: id,
      action: 'note',
      input: { text: 'x', public: true },
    });
    await note.then(
      () => expect.fail('must be refused'),
      (err: { code?: string }) => expect(err.code).to.equal('forbidden'),
    );
  });
});

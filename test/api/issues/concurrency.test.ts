// Optimistic concurrency: every action is one version-checked write. Of two conflicting actions exactly one
// wins; a stale If-Match is refused with 409 `conflict`; concurrent writes never lose a timeline event.
import { expect } from 'chai';
import request from 'supertest';
import { expectError } from '../helpers.ts';
import {
  act,
  getIssue,
  handlerOf,
  inProgressIssue,
  receivedIssue,
  unitByCode,
  useIssueApp,
} from './fixtures.ts';

describe('concurrent actions on one issue', () => {
  const t = useIssueApp();

  it('two conflicting actions at once: exactly one wins, the other gets 409', async () => {
    const id = await receivedIssue(t);
    const drc = String(unitByCode(t, 'city-drc')._id);
    const results = await Promise.all([
      act(t, 'dispatcher', id, 'dispatch', { unitId: drc }),
      act(t, 'clerk', id, 'reject', { reason: '不属于涉企问题' }),
    ]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).to.deep.equal([200, 409]);
    const loser = results.find((r) => r.status === 409);
    expect(['conflict', 'illegal_transition']).to.include(loser?.body.error.code);
    const issue = (await getIssue(t, 'dispatcher', id)).body;
    expect(issue.timeline).to.have.length(2);
    expect(issue.version).to.equal(2);
  });

  it('a stale If-Match version answers 409 conflict and changes nothing', async () => {
    const id = await inProgressIssue(t);
    const h = handlerOf('city-drc');
    const seen = (await getIssue(t, h, id)).body.version as number;
    const first = await request(t.app)
      .post(`/api/issues/${id}/actions/note`)
      .set(await t.auth(h))
      .set('If-Match', `"${seen}"`)
      .send({ text: '第一条', public: false });
    expect(first.status).to.equal(200);
    const stale = await request(t.app)
      .post(`/api/issues/${id}/actions/reply`)
      .set(await t.auth(h))
      .set('If-Match', String(seen))
      .send({ text: '基于旧版本的答复' });
    expectError(stale, 409, 'conflict');
    expect((await getIssue(t, h, id)).body).to.include({ state: 'in_progress', version: seen + 1 });
    const bad = await request(t.app)
      .post(`/api/issues/${id}/actions/note`)
      .set(await t.auth(h))
      .set('If-Match', 'abc')
      .send({ text: 'x', public: true });
    expectError(bad, 400, 'validation_failed');
  });

  it('many concurrent notes: every 200 is in the timeline, every loser got 409 conflict', async () => {
    const id = await inProgressIssue(t);
    const before = (await getIssue(t, 'dispatcher', id)).body.timeline.length as number;
    const results = await Promise.all(
      [0, 1, 2, 3, 4, 5].map((i) => act(t, 'dispatcher', id, 'note', { text: `跟进${i}`, public: false })),
    );
    const won = results.filter((r) => r.status === 200);
    const lost = results.filter((r) => r.status !== 200);
    expect(won.length).to.be.greaterThan(0);
    for (const r of lost) expectError(r, 409, 'conflict');
    const after = (await getIssue(t, 'dispatcher', id)).body;
    expect(after.timeline.length).to.equal(before + won.length);
    expect(after.version).to.equal(before + won.length);
  });
});

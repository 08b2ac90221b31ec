// The list's conditions: visibility first, then the filters, plus every value of a field that shares an index
// with a filtered one (so the index runs as merged scans that deliver the order); the due order's two parts.
import { expect } from 'chai';
import type { Actor } from '../../../shared/roles.ts';
import { Query } from 'mingo';
import { CHANNEL_IDS, ISSUE_STATES, URGENCIES, WARNING_LEVELS } from '../../../shared/states.ts';
import { LIT } from '../../../server/models/issue.indexes.ts';
import { allOf, listConditions } from '../../../server/routes/issues/issue-list.filter.ts';
import { dated, UNDATED } from '../../../server/routes/issues/issue-list.order.ts';
import { listIssuesQuery } from '../../../server/routes/issues/issues.schema.ts';

const clerk: Actor = { id: 'c', username: 'clerk', role: 'clerk' };
const handler: Actor = { id: 'h', username: 'h', role: 'handler', unitId: '65a1b2c3d4e5f60718293a4b' };
const q = (query: Record<string, string>) => listIssuesQuery.parse(query);

describe('routes: issue list conditions', () => {
  it('the plain list for centre staff has no conditions at all', () => {
    expect(allOf(listConditions(clerk, q({})))).to.deep.equal({});
  });

  it('names every state beside a category, a unit or a light, and for scoped actors', () => {
    expect(listConditions(clerk, q({ category: 'tax' }))).to.deep.equal([
      { category: { $in: ['tax'] }, state: { $in: ISSUE_STATES } },
    ]);
    expect(listConditions(clerk, q({ state: 'closed' }))).to.deep.equal([{ state: { $in: ['closed'] } }]);
    const [visibility, fields] = listConditions(handler, q({}));
    expect(visibility).to.have.property('$or');
    expect(fields).to.deep.equal({ state: { $in: ISSUE_STATES } });
  });

  it('names every urgency beside a channel and every channel beside an urgency', () => {
    expect(listConditions(clerk, q({ channel: 'sms' }))).to.deep.equal([
      { channel: { $in: ['sms'] }, urgency: { $in: URGENCIES } },
    ]);
    expect(listConditions(clerk, q({ urgency: 'critical' }))).to.deep.equal([
      { urgency: { $in: ['critical'] }, channel: { $in: CHANNEL_IDS } },
    ]);
  });

  it('due soonest reads the dated issues (from `from` on when a window is given), then the undated ones', () => {
    // The conditions are the list's; the due order adds its two parts (issue-read.query.ts duePage).
    expect(listConditions(clerk, q({ sort: 'dueAt' }))).to.deep.equal([]);
    expect(dated()).to.deep.equal({ dueAt: { $ne: null } });
    const from = '2026-01-01T00:00:00.000Z';
    expect(listConditions(clerk, q({ sort: 'dueAt', from }))).to.deep.equal([
      { createdAt: { $gte: new Date(from) } },
    ]);
    expect(dated(new Date(from))).to.deep.equal({ dueAt: { $ne: null, $gte: new Date(from) } });
    expect(UNDATED.conditions()).to.deep.equal([{ dueAt: null }]);
    const id = '6b158a8bcc1befe62173b99b';
    expect(JSON.stringify(UNDATED.conditions(id))).to.equal(
      JSON.stringify([{ dueAt: null }, { _id: { $gt: id } }]),
    );
  });
});

describe('models: the lit-warning partial index', () => {
  it('holds every level but none, so a filter on any lit level may use it', () => {
    const lit = new Query({ ...LIT });
    for (const level of WARNING_LEVELS)
      expect(lit.test({ warning: level }), level).to.equal(level !== 'none');
  });
});

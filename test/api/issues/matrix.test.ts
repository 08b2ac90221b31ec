// The full role × action matrix through the API, without changing the issue: every request carries a stale
// If-Match, so a permitted action stops at 409 `conflict` after authorisation, a refused role gets 403, and a
// user who cannot see the issue gets 404. A leader reads every issue of their KPI scope (its drill-downs) but
// acts only within their domain: 403 on this green section-tier issue.
import { expect } from 'chai';
import request from 'supertest';
import { ACTION_IDS, ACTION_ROLES, type ActionId } from '../../../shared/lifecycle/actions.ts';
import { ACTION_SCHEMAS } from '../../../shared/schemas.ts';
import { actionsFrom } from '../../../shared/lifecycle/transitions.ts';
import type { Role } from '../../../shared/roles.ts';
import {
  getIssue,
  handlerOf,
  inProgressIssue,
  receivedIssue,
  unitByCode,
  unitHeadOf,
  useIssueApp,
} from './fixtures.ts';

describe('role × action matrix through the API', function () {
  this.timeout(60_000);
  const t = useIssueApp();

  function sampleBodies(unitId: string, otherIssueId: string): Record<ActionId, object> {
    const reason = { reason: '测试理由' };
    return {
      dispatch: { unitId },
      sign: {},
      return: reason,
      transfer: { unitId, ...reason },
      add_co_unit: { unitId },
      suspend: reason,
      approve_suspend: {},
      resume: {},
      approve_resume: {},
      deny_request: reason,
      request_extension: { workingDays: 1, ...reason },
      approve_extension: {},
      note: { text: '进展', public: false },
      consult: { tier: 'director', unitIds: [unitId] },
      consult_input: { text: '意见' },
      decide: { unitId, workingDays: 5 },
      reply: { text: '答复' },
      verify: {},
      send_back: reason,
      callback: { reached: false },
      rate: { rating: 'good' },
      verify_rating: { reasonable: true },
      merge: { intoId: otherIssueId },
      reject: reason,
      reopen: reason,
      urge: {},
      supervise: {},
      bulletin: {},
      escalate: {},
      request_callback: {},
      reclassify: { category: 'tax', ...reason },
      assign: { userId: unitId },
    };
  }

  /**
   * [username, role, sight: acts on / only reads / cannot see the issue] — the issue is in progress at
   * city-drc, section tier, no warning.
   */
  const USERS: ReadonlyArray<readonly [string, Role, 'acts' | 'reads' | 'none']> = [
    ['clerk', 'clerk', 'acts'],
    ['dispatcher', 'dispatcher', 'acts'],
    ['director', 'director', 'acts'],
    ['supervisor', 'supervisor', 'acts'],
    ['leader', 'leader', 'reads'],
    ['admin', 'admin', 'none'],
    [handlerOf('city-drc'), 'handler', 'acts'],
    [unitHeadOf('city-drc'), 'unit_head', 'acts'],
    [handlerOf('city-tax'), 'handler', 'none'],
  ];

  it('403 for roles the action table refuses, 404 when the issue is out of sight, else past authorisation', async () => {
    const id = await inProgressIssue(t);
    const other = await receivedIssue(t);
    const before = (await getIssue(t, 'dispatcher', id)).body;
    const bodies = sampleBodies(String(unitByCode(t, 'city-sci')._id), other);
    const mismatches: string[] = [];
    for (const [username, role, sight] of USERS) {
      const auth = await t.auth(username);
      for (const action of ACTION_IDS) {
        const res = await request(t.app)
          .post(`/api/issues/${id}/actions/${action}`)
          .set(auth)
          .set('If-Match', String(before.version - 1))
          .send(bodies[action]);
        const allowed = ACTION_ROLES[action].includes(role);
        const expected = !allowed || sight === 'reads' ? 403 : sight === 'acts' ? 409 : 404;
        const code = { 403: 'forbidden', 404: 'not_found', 409: 'conflict' }[expected];
        if (res.status !== expected || res.body?.error?.code !== code) {
          mismatches.push(
            `${username} ${action}: ${res.status} ${res.body?.error?.code}, expected ${expected}`,
          );
        }
      }
    }
    expect(mismatches).to.deep.equal([]);
    const after = (await getIssue(t, 'dispatcher', id)).body;
    expect(after.version).to.equal(before.version);
    expect(after.timeline).to.have.length(before.timeline.length);
  });

  // For whoever may act: a step the issue's state does not allow is 409 illegal_transition whatever the body;
  // an allowed one with a bad body is 400. A body that passes goes with a stale If-Match, so nothing changes.
  it('checks the body only once the caller may act: a refused role or an unseen issue never hears what it lacks', async () => {
    const id = await inProgressIssue(t);
    const version = (await getIssue(t, 'dispatcher', id)).body.version as number;
    // Wrong for every field any action reads (actions that read none still pass their check).
    const bad = {
      ...Object.fromEntries(
        ['reason', 'text', 'unitId', 'intoId', 'userId', 'note', 'unitIds', 'category'].map((k) => [k, 1]),
      ),
      ...Object.fromEntries(['tier', 'rating', 'reached', 'reasonable', 'target'].map((k) => [k, 'x'])),
      workingDays: 0,
    };
    const applicable = actionsFrom('in_progress');
    const mismatches: string[] = [];
    for (const [username, role, sight] of USERS) {
      const auth = await t.auth(username);
      for (const action of ACTION_IDS) {
        const valid = ACTION_SCHEMAS[action].safeParse(bad).success;
        const post = request(t.app).post(`/api/issues/${id}/actions/${action}`).set(auth);
        const res = await (valid ? post.set('If-Match', String(version - 1)) : post).send(bad);
        const allowed = ACTION_ROLES[action].includes(role);
        const [status, code] =
          !allowed || sight === 'reads'
            ? [403, 'forbidden']
            : sight === 'none'
              ? [404, 'not_found']
              : valid
                ? [409, 'conflict']
                : applicable.includes(action)
                  ? [400, 'validation_failed']
                  : [409, 'illegal_transition'];
        if (res.status !== status || res.body?.error?.code !== code)
          mismatches.push(
            `${username} ${action}: ${res.status} ${res.body?.error?.code}, expected ${status} ${code}`,
          );
      }
    }
    expect(mismatches).to.deep.equal([]);
    expect((await getIssue(t, 'dispatcher', id)).body.version).to.equal(version);
  });
});

// The management screens' policies as a role matrix, the KPI scope of a county leader, and the queues each
// desk works from.
import { expect } from 'chai';
import { ROLES, type Actor, type Role } from '../../../shared/roles.ts';
import {
  canManageEnterpriseCodes,
  canReadIssue,
  kpiDrillVisibility,
  canUseWorkbench,
  canViewKpis,
  kpiScopeOf,
} from '../../../server/policies/screens.policy.ts';
import { queueFilter, queuesOf } from '../../../server/workbench/queues.ts';

const actor = (role: Role, extra: Partial<Actor> = {}): Actor => ({
  id: 'u1',
  username: role,
  role,
  region: 'city',
  ...extra,
});

describe('policies: management screens', () => {
  const matrix: Record<string, [(a: Actor) => boolean, Role[]]> = {
    canViewKpis: [canViewKpis, ['leader', 'director', 'supervisor', 'admin']],
    canUseWorkbench: [
      canUseWorkbench,
      ['handler', 'unit_head', 'clerk', 'dispatcher', 'director', 'supervisor'],
    ],
    canManageEnterpriseCodes: [canManageEnterpriseCodes, ['admin', 'clerk', 'dispatcher']],
  };
  for (const [name, [policy, allowed]] of Object.entries(matrix)) {
    it(`${name}: exactly ${allowed.join(', ')}`, () => {
      for (const role of ROLES) expect(policy(actor(role)), role).to.equal(allowed.includes(role));
    });
  }

  it('a county leader reads the KPIs of their county; the city leader and the centre read the whole city', () => {
    expect(kpiScopeOf(actor('leader', { region: 'anji' }))).to.deep.equal({ region: 'anji' });
    expect(kpiScopeOf(actor('leader'))).to.deep.equal({});
    expect(kpiScopeOf(actor('director', { region: 'anji' }))).to.deep.equal({});
  });

  it('a drill-down lists the KPI scope; a leader opens any issue in it but none outside', () => {
    expect(kpiDrillVisibility(actor('leader', { region: 'anji' }))).to.deep.equal({ region: 'anji' });
    expect(kpiDrillVisibility(actor('leader'))).to.deep.equal({});
    expect(kpiDrillVisibility(actor('supervisor'))).to.deep.equal({});
    for (const role of ['admin', 'handler', 'unit_head', 'clerk'] as const)
      expect(kpiDrillVisibility(actor(role)), role).to.equal(undefined);
    const green = { tier: 'section', warning: 'none', region: 'deqing', unitId: 'U9' } as const;
    expect(canReadIssue(actor('leader'), green)).to.equal(true);
    expect(canReadIssue(actor('leader', { region: 'deqing' }), green)).to.equal(true);
    expect(canReadIssue(actor('leader', { region: 'anji' }), green)).to.equal(false);
    expect(canReadIssue(actor('handler', { unitId: 'U1' }), green)).to.equal(false);
    expect(canReadIssue(actor('handler', { unitId: 'U9' }), green)).to.equal(true);
    expect(canReadIssue(actor('admin'), green)).to.equal(false);
  });

  it("queues: a unit's are within its own issues; desks without a unit or queue get none", () => {
    const handler = actor('handler', { unitId: 'U1' });
    expect(queuesOf(handler)).to.include('toSign');
    for (const id of queuesOf(handler)) {
      const f = queueFilter(handler, id)!;
      expect(f.unitId ?? f.consultUnitIds, id).to.equal('U1');
    }
    expect(queuesOf(actor('handler'))).to.deep.equal([]);
    expect(queuesOf(actor('leader'))).to.deep.equal([]);
    expect(queueFilter(actor('clerk'), 'toSign')).to.equal(undefined);
    expect(queueFilter(actor('clerk'), 'deadLetters')).to.equal(undefined);
    expect(queueFilter(actor('dispatcher'), 'triage')).to.deep.equal({ state: 'received' });
    expect(queueFilter(actor('dispatcher'), 'supervised')).to.equal(undefined);
    expect(queueFilter(actor('supervisor'), 'overdue')).to.equal(undefined);
  });

  it("the supervisor's queues: issues in handling under 督办, under 通报, past due (red or overdue), city-wide", () => {
    const supervisor = actor('supervisor');
    expect(queuesOf(supervisor)).to.deep.equal(['supervised', 'bulletined', 'cityOverdue']);
    const open = { $in: ['dispatched', 'in_progress', 'suspended', 'consulting'] };
    expect(queueFilter(supervisor, 'supervised')).to.deep.equal({ supervised: true, state: open });
    expect(queueFilter(supervisor, 'bulletined')).to.deep.equal({ bulletined: true, state: open });
    expect(queueFilter(supervisor, 'cityOverdue')).to.deep.equal({
      warning: { $in: ['red', 'overdue'] },
      state: open,
    });
  });
});

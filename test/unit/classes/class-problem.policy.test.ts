// Who reads a class problem, as a role × unit matrix: the coordinating roles read every class; handlers and
// unit heads only those their unit leads or co-handles; clerks none. Managing stays with the director and a
// city-wide leader.
import { expect } from 'chai';
import {
  canManageClassProblems,
  canReadClassProblem,
  canRunClustering,
  canViewClassProblems,
} from '../../../server/classes/class-problem.policy.ts';
import { roleLabelOf, ROLES, type Role } from '../../../shared/roles.ts';

const cls = { leadUnitId: 'lead', coUnitIds: ['co'] };
const actor = (role: Role, unitId?: string) => ({ id: 'u', username: 'u', role, unitId });

describe('class problem policy: reading one class', () => {
  it('coordinating roles read every class; clerks none', () => {
    for (const role of ROLES.filter((r) => !['handler', 'unit_head'].includes(r)))
      expect(canReadClassProblem(actor(role), cls), role).to.equal(canViewClassProblems(actor(role)));
    expect(canReadClassProblem(actor('clerk'), cls)).to.equal(false);
  });

  it('handlers and unit heads of the lead or a co-unit read it, and may not manage it', () => {
    for (const role of ['handler', 'unit_head'] as const) {
      expect(canReadClassProblem(actor(role, 'lead'), cls), role).to.equal(true);
      expect(canReadClassProblem(actor(role, 'co'), cls), role).to.equal(true);
      expect(canReadClassProblem(actor(role, 'other'), cls), role).to.equal(false);
      expect(canReadClassProblem(actor(role), cls), role).to.equal(false);
      expect(canManageClassProblems(actor(role, 'lead')), role).to.equal(false);
    }
  });
});

describe('class problem policy: managing', () => {
  it('the director and a city-wide leader manage classes; a county leader and every other role do not', () => {
    const with_ = (role: Role, region?: string) => ({ ...actor(role), region });
    expect(canManageClassProblems(with_('director', 'city'))).to.equal(true);
    expect(canManageClassProblems(with_('leader', 'city'))).to.equal(true);
    expect(canManageClassProblems(with_('leader'))).to.equal(true);
    expect(canManageClassProblems(with_('leader', 'anji'))).to.equal(false);
    for (const role of ROLES.filter((r) => r !== 'director' && r !== 'leader'))
      expect(canManageClassProblems(with_(role, 'city')), role).to.equal(false);
  });
});

describe('class problem policy: running the clustering now', () => {
  it('those who manage classes and the admin, as the screen offers it; not a county leader', () => {
    const with_ = (role: Role, region?: string) => ({ ...actor(role), region });
    for (const [who, may] of [
      [with_('director', 'city'), true],
      [with_('leader', 'city'), true],
      [with_('admin', 'city'), true],
      [with_('leader', 'anji'), false],
      [with_('dispatcher', 'city'), false],
      [with_('supervisor', 'city'), false],
    ] as const)
      expect(canRunClustering(who), `${who.role} ${who.region}`).to.equal(may);
  });
});

describe('roles: how a leader is called', () => {
  it('a county leader is 区县领导, a city-wide one 市领导', () => {
    expect(roleLabelOf({ role: 'leader', region: 'anji' })).to.equal('区县领导');
    expect(roleLabelOf({ role: 'leader', region: 'city' })).to.equal('市领导');
    expect(roleLabelOf({ role: 'clerk', region: 'anji' })).to.equal('受理员');
  });
});

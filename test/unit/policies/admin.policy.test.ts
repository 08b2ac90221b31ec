// Role × permission matrix for configuration, directory, enterprise-code and demo-clock policies.
import { expect } from 'chai';
import { ROLES, type Actor, type Role } from '../../../shared/roles.ts';
import * as policies from '../../../server/policies/admin.policy.ts';

type ActorPolicy = (actor: Actor) => boolean;
const ALL: Role[] = [...ROLES];

const MATRIX: Record<string, [ActorPolicy, Role[]]> = {
  canListUsers: [policies.canListUsers, ['admin']],
  canManageUsers: [policies.canManageUsers, ['admin']],
  canManageUnits: [policies.canManageUnits, ['admin']],
  canManageSettings: [policies.canManageSettings, ['admin']],
  canViewAudit: [policies.canViewAudit, ['admin']],
  canViewUnits: [policies.canViewUnits, ALL],
  canViewConfig: [policies.canViewConfig, ALL],
  canViewEnterprises: [policies.canViewEnterprises, ALL],
  canCreateEnterprise: [policies.canCreateEnterprise, ['admin', 'clerk', 'dispatcher']],
  canEditEnterprise: [policies.canEditEnterprise, ['admin', 'clerk', 'dispatcher']],
  // Accepted senders get the QR link and personal data (openids): those who accept them on 待确认企业, the
  // centre (the director too) and admins.
  canManageEnterpriseSenders: [
    policies.canManageEnterpriseSenders,
    ['admin', 'clerk', 'dispatcher', 'director'],
  ],
  canSetEnterprisePin: [policies.canSetEnterprisePin, ['admin', 'clerk']],
  // Finding 4: the code (a bearer credential) and the registered mobile are for the centre and admins only.
  canViewEnterpriseQr: [policies.canViewEnterpriseQr, ['admin', 'clerk', 'dispatcher', 'director']],
  canViewEnterpriseCredentials: [
    policies.canViewEnterpriseCredentials,
    ['admin', 'clerk', 'dispatcher', 'director'],
  ],
  canRotateEnterpriseQr: [policies.canRotateEnterpriseQr, ['admin', 'clerk']],
  canClassify: [policies.canClassify, ALL],
  canUseDevClock: [policies.canUseDevClock, ['admin']],
};

const actor = (role: Role, id = `id-${role}`): Actor => ({ id, username: role, role, region: 'city' });

describe('policies: admin and directory matrix', () => {
  for (const [name, [policy, allowed]] of Object.entries(MATRIX)) {
    it(name, () => {
      for (const role of ROLES)
        expect(policy(actor(role)), `${name} for ${role}`).to.equal(allowed.includes(role));
    });
  }
});

describe('policies: canEditUser', () => {
  const admin = actor('admin', 'me');
  it('lets an admin change any other account', () => {
    expect(policies.canEditUser(admin, { id: 'other' }, { disabled: true, role: 'clerk' })).to.equal(true);
  });
  it('stops an admin from disabling or demoting their own account', () => {
    expect(policies.canEditUser(admin, { id: 'me' }, { disabled: true })).to.equal(false);
    expect(policies.canEditUser(admin, { id: 'me' }, { role: 'clerk' })).to.equal(false);
    expect(policies.canEditUser(admin, { id: 'me' }, { role: 'admin', disabled: false })).to.equal(true);
  });
  it('refuses every non-admin', () => {
    for (const role of ROLES.filter((r) => r !== 'admin')) {
      expect(policies.canEditUser(actor(role), { id: 'other' }, {})).to.equal(false);
    }
  });
});

// The full role × action × scope matrix for issue access. Expectations are written out here independently of
// shared/lifecycle's table, so a change to either side is caught.
import { expect } from 'chai';
import { Query } from 'mingo';
import { ACTION_IDS, type ActionId } from '../../../shared/lifecycle/actions.ts';
import { ROLES, type Actor, type Role } from '../../../shared/roles.ts';
import { CHANNEL_IDS, ISSUE_STATES } from '../../../shared/states.ts';
import {
  canActOnIssue,
  canAttachToIssue,
  canCreateIssue,
  canViewIssue,
  enterpriseOwnsIssue,
  issueTakesAttachments,
  issueVisibilityFilter,
  mayEverSplitSource,
  type IssueScope,
} from '../../../server/policies/index.ts';

const MY_UNIT = 'u-mine';
const OTHER_UNIT = 'u-other';

/** What each role may ever do (DESIGN §3, §7). */
const ALLOWED: Record<Role, ActionId[]> = {
  clerk: [
    'dispatch',
    'note',
    'verify',
    'send_back',
    'callback',
    'rate',
    'merge',
    'reject',
    'request_callback',
    'reclassify',
  ],
  dispatcher: [
    'dispatch',
    'transfer',
    'add_co_unit',
    'approve_suspend',
    'resume',
    'approve_resume',
    'deny_request',
    'approve_extension',
    'note',
    'consult',
    'verify',
    'send_back',
    'callback',
    'rate',
    'verify_rating',
    'merge',
    'reject',
    'reopen',
    'request_callback',
    'reclassify',
  ],
  handler: ['sign', 'return', 'suspend', 'resume', 'request_extension', 'note', 'consult_input', 'reply'],
  unit_head: [
    'sign',
    'return',
    'suspend',
    'resume',
    'request_extension',
    'note',
    'consult_input',
    'reply',
    'assign',
  ],
  director: [
    'dispatch',
    'transfer',
    'add_co_unit',
    'approve_suspend',
    'resume',
    'approve_resume',
    'deny_request',
    'approve_extension',
    'note',
    'consult',
    'decide',
    'verify',
    'send_back',
    'verify_rating',
    'merge',
    'reject',
    'reopen',
    'urge',
    'supervise',
    'bulletin',
    'escalate',
    'reclassify',
  ],
  leader: ['add_co_unit', 'note', 'consult', 'decide', 'reopen', 'urge', 'supervise', 'escalate'],
  supervisor: ['note', 'reopen', 'urge', 'supervise', 'bulletin'],
  admin: [],
};

const LEAD_ONLY: ActionId[] = ['sign', 'return', 'suspend', 'resume', 'request_extension', 'reply', 'assign'];

/** Issue situations, each with the roles that can see it. */
const base: IssueScope = {
  unitId: OTHER_UNIT,
  coUnitIds: [],
  tier: 'section',
  warning: 'none',
  region: 'wuxing',
};
const SCENARIOS: Record<
  string,
  { issue: IssueScope; visibleTo: Role[]; unitRelation: 'lead' | 'co' | 'none' }
> = {
  'lead unit is mine': {
    issue: { ...base, unitId: MY_UNIT },
    visibleTo: ['handler', 'unit_head'],
    unitRelation: 'lead',
  },
  'my unit is a co-unit': {
    issue: { ...base, coUnitIds: [MY_UNIT] },
    visibleTo: ['handler', 'unit_head'],
    unitRelation: 'co',
  },
  'my unit is consulted': {
    issue: { ...base, consultUnitIds: [MY_UNIT] },
    visibleTo: ['handler', 'unit_head'],
    unitRelation: 'co',
  },
  'another unit, ordinary': { issue: base, visibleTo: [], unitRelation: 'none' },
  'not yet dispatched': { issue: { ...base, unitId: null }, visibleTo: [], unitRelation: 'none' },
  // The actor is a county leader (wuxing): the leader tier of their own county, not another's.
  'leader tier in the leader region': {
    issue: { ...base, tier: 'leader' },
    visibleTo: ['leader'],
    unitRelation: 'none',
  },
  'leader tier elsewhere': {
    issue: { ...base, tier: 'leader', region: 'anji' },
    visibleTo: [],
    unitRelation: 'none',
  },
  'red in the leader region': {
    issue: { ...base, warning: 'red' },
    visibleTo: ['leader'],
    unitRelation: 'none',
  },
  'overdue in the leader region': {
    issue: { ...base, warning: 'overdue' },
    visibleTo: ['leader'],
    unitRelation: 'none',
  },
  'red in another region': {
    issue: { ...base, warning: 'red', region: 'anji' },
    visibleTo: [],
    unitRelation: 'none',
  },
  'yellow in the leader region': {
    issue: { ...base, warning: 'yellow' },
    visibleTo: [],
    unitRelation: 'none',
  },
};
const CITY_WIDE: Role[] = ['clerk', 'dispatcher', 'director', 'supervisor'];

function actorFor(role: Role, region = 'wuxing'): Actor {
  const unitId = role === 'handler' || role === 'unit_head' ? MY_UNIT : undefined;
  return { id: `id-${role}`, username: role, role, unitId, region };
}

function expected(role: Role, action: ActionId, s: (typeof SCENARIOS)[string]): boolean {
  if (!ALLOWED[role].includes(action)) return false;
  const visible = CITY_WIDE.includes(role) || s.visibleTo.includes(role);
  if (!visible) return false;
  if ((role === 'handler' || role === 'unit_head') && LEAD_ONLY.includes(action))
    return s.unitRelation === 'lead';
  return true;
}

describe('policies: issue role × action matrix', () => {
  for (const role of ROLES) {
    for (const [name, scenario] of Object.entries(SCENARIOS)) {
      it(`${role} — ${name}`, () => {
        const actor = actorFor(role);
        const wrong: string[] = [];
        for (const action of ACTION_IDS) {
          const want = expected(role, action, scenario);
          if (canActOnIssue(actor, action, scenario.issue) !== want)
            wrong.push(`${action} should be ${want}`);
        }
        expect(wrong, wrong.join(', ')).to.deep.equal([]);
        const view = CITY_WIDE.includes(role) || scenario.visibleTo.includes(role);
        expect(canViewIssue(actor, scenario.issue)).to.equal(view);
      });
    }
  }

  it('every action id is covered by the expectations', () => {
    const known = new Set(Object.values(ALLOWED).flat());
    expect(ACTION_IDS.filter((a) => !known.has(a))).to.deep.equal([]);
  });

  it('admin configures but never sees or handles an issue', () => {
    const admin = actorFor('admin');
    for (const s of Object.values(SCENARIOS)) {
      expect(canViewIssue(admin, s.issue)).to.equal(false);
      for (const action of ACTION_IDS) expect(canActOnIssue(admin, action, s.issue)).to.equal(false);
    }
  });

  it('a unit role without a unit sees nothing', () => {
    const orphan: Actor = { id: 'x', username: 'x', role: 'handler' };
    expect(canViewIssue(orphan, { ...base, unitId: MY_UNIT })).to.equal(false);
  });

  it('a city leader sees the leader tier and red and overdue issues in every region', () => {
    const cityLeader = actorFor('leader', 'city');
    expect(canViewIssue(cityLeader, SCENARIOS['red in another region'].issue)).to.equal(true);
    expect(canViewIssue(cityLeader, SCENARIOS['leader tier elsewhere'].issue)).to.equal(true);
    for (const action of ['decide', 'note', 'escalate'] as const)
      expect(canActOnIssue(cityLeader, action, SCENARIOS['leader tier elsewhere'].issue)).to.equal(true);
    expect(canViewIssue(cityLeader, SCENARIOS['yellow in the leader region'].issue)).to.equal(false);
  });
});

describe('policies: who may add files to an issue', () => {
  // Written out: the centre and supervisors city-wide, a unit on its own issues (lead, co- or consulted unit),
  // a leader in their domain; never the admin, never someone who cannot see the issue.
  for (const role of ROLES) {
    it(role, () => {
      for (const [name, s] of Object.entries(SCENARIOS)) {
        const want = CITY_WIDE.includes(role) || s.visibleTo.includes(role);
        expect(canAttachToIssue(actorFor(role), s.issue), name).to.equal(want);
      }
    });
  }

  it('a finished issue (closed, merged, rejected) takes no more files; every other state does', () => {
    const open = ISSUE_STATES.filter(issueTakesAttachments);
    expect(ISSUE_STATES.filter((s) => !open.includes(s))).to.deep.equal(['closed', 'merged', 'rejected']);
  });
});

describe('policies: who may take in an issue, by channel', () => {
  for (const role of ROLES) {
    it(role, () => {
      for (const channel of CHANNEL_IDS) {
        const want =
          ['clerk', 'dispatcher', 'director'].includes(role) ||
          (role === 'leader' && channel === 'visit') ||
          ((role === 'handler' || role === 'unit_head') && channel === 'discovery');
        expect(canCreateIssue(actorFor(role), channel), `${role} via ${channel}`).to.equal(want);
      }
    });
  }
});

describe('policies: who may split a merged source into its own issue (拆分为新工单)', () => {
  it('the centre that dispatches and merges: clerk, dispatcher, director', () => {
    expect(ROLES.filter((r) => mayEverSplitSource(r))).to.have.members(['clerk', 'dispatcher', 'director']);
  });
});

describe('policies: an enterprise owner and its issues', () => {
  it("acts on its own enterprise's issues only (ids compared as strings)", () => {
    const id = '65a1b2c3d4e5f60718293a4b';
    expect(enterpriseOwnsIssue(id, { enterpriseId: { toString: () => id } })).to.equal(true);
    expect(enterpriseOwnsIssue(id, { enterpriseId: '65a1b2c3d4e5f60718293a4c' })).to.equal(false);
    expect(enterpriseOwnsIssue(id, { enterpriseId: null })).to.equal(false);
  });
});

describe('policies: issueVisibilityFilter selects exactly what canViewIssue allows', () => {
  const docs = Object.entries(SCENARIOS).map(([name, s]) => ({
    name,
    ...s.issue,
    coUnitIds: s.issue.coUnitIds ?? [],
    consultUnitIds: s.issue.consultUnitIds ?? [],
  }));
  for (const role of ROLES) {
    for (const region of ['wuxing', 'city']) {
      it(`${role} (${region})`, () => {
        const actor = actorFor(role, region);
        const query = new Query(issueVisibilityFilter(actor));
        for (const doc of docs) {
          expect(query.test(doc), doc.name).to.equal(canViewIssue(actor, doc));
        }
      });
    }
  }
});

// The top navigation's highlight on an issue's page: the screen it was opened from (工作台, 驾驶舱, …), kept
// from issue to issue, and none when that is not known or not a screen of this role.
import { expect } from 'chai';
import { activeSection, originAfter } from '../../../web/src/lib/nav-section.ts';

const HANDLER_NAV = ['workbench', 'issues'];
const LEADER_NAV = ['dashboard', 'issues', 'classes'];

describe('navigation highlight (nav-section)', () => {
  it('an issue opened from 工作台 highlights 工作台, not 工单查询', () => {
    const origin = originAfter('workbench', 'issue', null);
    expect(activeSection('issue', origin, HANDLER_NAV)).to.equal('workbench');
  });

  it('from the monthly report the dashboard stays highlighted, also on the issue opened from it', () => {
    expect(activeSection('monthly', null, LEADER_NAV)).to.equal('dashboard');
    expect(activeSection('issue', originAfter('monthly', 'issue', null), LEADER_NAV)).to.equal('dashboard');
  });

  it('from one issue to another the first one’s origin stands', () => {
    const first = originAfter('dashboard', 'issue', null);
    expect(originAfter('issue', 'issue', first)).to.equal('dashboard');
  });

  it('opened from nowhere known, or from a screen not in this role’s bar, nothing is highlighted', () => {
    expect(activeSection('issue', originAfter(null, 'issue', null), HANDLER_NAV)).to.equal(null);
    expect(activeSection('issue', originAfter('login', 'issue', null), HANDLER_NAV)).to.equal(null);
  });

  it('other screens highlight themselves and forget the origin', () => {
    expect(originAfter('workbench', 'issues', 'workbench')).to.equal(null);
    expect(activeSection('issues', null, HANDLER_NAV)).to.equal('issues');
  });
});

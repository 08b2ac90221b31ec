import { expect } from 'chai';
import { ROLE_LABELS, ROLES, isRole } from '../../../shared/roles.ts';
import {
  CATEGORY_IDS,
  CHANNEL_IDS,
  CHANNEL_LABELS,
  ISSUE_STATES,
  RATING_LEVELS,
  STATE_LABELS,
  URGENCY_LABELS,
  isIssueState,
  ratingOfLevel,
} from '../../../shared/states.ts';
import {
  ACTION_IDS,
  ACTION_LABELS,
  ACTION_ROLES,
  roleMayPerform,
} from '../../../shared/lifecycle/actions.ts';

describe('domain vocabulary', () => {
  it('has the ten lifecycle states of DESIGN §3 with their Chinese labels', () => {
    expect(ISSUE_STATES).to.have.length(10);
    expect(STATE_LABELS.dispatched).to.equal('待签收');
    expect(STATE_LABELS.closed).to.equal('已办结');
    expect(STATE_LABELS.rejected).to.equal('不予受理');
    expect(isIssueState('in_progress')).to.equal(true);
    expect(isIssueState('open')).to.equal(false);
  });

  it('has twelve channels and twelve categories', () => {
    expect(CHANNEL_IDS).to.have.length(12);
    expect(CATEGORY_IDS).to.have.length(12);
    expect(CHANNEL_LABELS.hotline12345).to.equal('12345热线');
  });

  it('labels urgency and roles in Chinese', () => {
    expect(URGENCY_LABELS.critical).to.equal('特急');
    expect(ROLES).to.have.length(8);
    expect(ROLE_LABELS.handler).to.equal('经办人');
    expect(isRole('admin')).to.equal(true);
    expect(isRole('owner')).to.equal(false);
  });

  it('splits the five rating levels into three good and two bad', () => {
    expect(RATING_LEVELS.map(ratingOfLevel)).to.deep.equal(['good', 'good', 'good', 'bad', 'bad']);
  });

  it('labels every action and lets admin perform none of them', () => {
    for (const action of ACTION_IDS) {
      expect(ACTION_LABELS[action], action).to.be.a('string');
      expect(roleMayPerform('admin', action), action).to.equal(false);
    }
  });

  it('lets handlers sign and reply, and keeps dispatch and verification with the centre', () => {
    expect(roleMayPerform('handler', 'sign')).to.equal(true);
    expect(roleMayPerform('handler', 'reply')).to.equal(true);
    expect(roleMayPerform('handler', 'dispatch')).to.equal(false);
    expect(roleMayPerform('handler', 'verify')).to.equal(false);
    expect(roleMayPerform('dispatcher', 'dispatch')).to.equal(true);
    expect(ACTION_ROLES.decide).to.include.members(['director', 'leader']);
  });
});

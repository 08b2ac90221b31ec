import { expect } from 'chai';
import { DAY_MS } from '../../../../shared/clock.ts';
import {
  ACTION_IDS,
  ACTION_ROLES,
  ENTERPRISE_ACTIONS,
  SYSTEM_ACTIONS,
  SYSTEM_ACTOR,
  TRANSITIONS,
  applyAction,
  createIssueCore,
  enterpriseActor,
  TransitionError,
  type ActionId,
  type DomainActor,
  type IssueCore,
} from '../../../../shared/lifecycle.ts';
import { ISSUE_STATES } from '../../../../shared/states.ts';
import { actors, at, calendar, cst, IssueStory, policy } from './fixtures.ts';

/** Someone allowed to attempt the action, so only the state decides. */
function anyAllowedActor(action: ActionId): DomainActor {
  const role = ACTION_ROLES[action][0];
  if (role) return { id: `x-${role}`, username: role, role, unitId: 'city-nrp' };
  return SYSTEM_ACTIONS.includes(action) ? SYSTEM_ACTOR : enterpriseActor('e1');
}

describe('lifecycle rules', () => {
  describe('illegal transitions', () => {
    it('refuses every action from every state the table does not allow', () => {
      let refused = 0;
      for (const state of ISSUE_STATES) {
        const issue: IssueCore = { ...createIssueCore({ urgency: 'normal', category: 'land' }), state };
        for (const action of ACTION_IDS) {
          if (TRANSITIONS[action].from.includes(state)) continue;
          const attempt = () =>
            applyAction(
              issue,
              action,
              {},
              { now: at('2026-03-02', '09:00'), actor: anyAllowedActor(action), calendar, policy },
            );
          expect(attempt, `${action} from ${state}`)
            .to.throw(TransitionError)
            .with.property('code', 'illegal_transition');
          refused++;
        }
      }
      expect(refused).to.be.greaterThan(150);
    });

    it('explains the refusal in Chinese', () => {
      const story = new IssueStory(at('2026-03-02', '09:00'));
      const error = story.refuses(actors.handler, 'sign', {}, 'illegal_transition');
      expect(error.message).to.equal('问题处于「待受理」状态，不能执行「签收」');
      expect(error.status).to.equal(409);
    });

    it('cannot reply before signing, nor rate before verification', () => {
      const story = new IssueStory(at('2026-03-02', '09:00')).dispatched();
      story.refuses(actors.handler, 'reply', { text: '已办结' }, 'illegal_transition');
      story.do(actors.handler, 'sign');
      story.do(actors.handler, 'reply', { text: '已办结' });
      story.refuses(enterpriseActor('e1'), 'rate', { rating: 'good' }, 'illegal_transition');
    });
  });

  describe('roles', () => {
    it('admin configures but never handles issues', () => {
      const story = new IssueStory(at('2026-03-02', '09:00'));
      for (const action of ['dispatch', 'reject', 'note'] as const) {
        story.refuses(
          actors.admin,
          action,
          { unitId: 'city-nrp', reason: 'x', text: 'x', public: false },
          'forbidden',
        );
      }
    });

    it('a handler cannot dispatch and a dispatcher cannot sign', () => {
      const story = new IssueStory(at('2026-03-02', '09:00'));
      const error = story.refuses(actors.handler, 'dispatch', { unitId: 'city-nrp' }, 'forbidden');
      expect(error.status).to.equal(403);
      story.dispatched();
      story.refuses(actors.dispatcher, 'sign', {}, 'forbidden');
    });

    it('the system may only auto-dispatch and run follow-ups; the enterprise may only rate', () => {
      expect(SYSTEM_ACTIONS).to.include.members([
        'dispatch',
        'urge',
        'supervise',
        'bulletin',
        'escalate',
        'request_callback',
      ]);
      expect(ENTERPRISE_ACTIONS).to.deep.equal(['rate']);
      const story = new IssueStory(at('2026-03-02', '09:00'));
      story.do(SYSTEM_ACTOR, 'dispatch', { unitId: 'city-nrp' });
      story.refuses(SYSTEM_ACTOR, 'sign', {}, 'forbidden');
      story.refuses(enterpriseActor('e1'), 'note', { text: 'x', public: true }, 'forbidden');
    });
  });

  describe('input validation', () => {
    it('rejects a dispatch without a unit, with the field named', () => {
      const story = new IssueStory(at('2026-03-02', '09:00'));
      const error = story.refuses(actors.dispatcher, 'dispatch', {}, 'invalid_input');
      expect(error.message).to.contain('unitId');
      expect(error.status).to.equal(400);
    });

    it('requires a reason to return', () => {
      const story = new IssueStory(at('2026-03-02', '09:00')).dispatched();
      story.refuses(actors.handler, 'return', { reason: '   ' }, 'invalid_input');
    });
  });

  describe('returns', () => {
    it('a first return goes back to the dispatcher; re-dispatch keeps the promised date', () => {
      const story = new IssueStory(at('2026-02-13', '10:00')).dispatched('wuxing');
      const promised = story.issue.deadlines?.resolveBy;
      story.goTo('2026-02-14', '09:00');
      story.do(actors.otherHandler, 'return', {
        reason: '不属于区级职责',
        legalBasis: '《土地管理法》第五条',
      });
      expect(story.issue).to.include({ state: 'received', unitId: null, returnCount: 1 });
      story.do(actors.dispatcher, 'dispatch', { unitId: 'city-nrp' });
      expect(story.issue.deadlines?.resolveBy).to.deep.equal(promised);
      expect(cst(story.issue.deadlines?.signBy)).to.equal('2026-02-24 17:30');
    });

    it('the second return convenes a director-tier consultation of the units involved', () => {
      const story = new IssueStory(at('2026-03-02', '09:00'));
      story.do(actors.dispatcher, 'dispatch', { unitId: 'wuxing', coUnitIds: ['city-drc'] });
      story.do(actors.otherHandler, 'return', { reason: '不属于区级职责' });
      story.do(actors.dispatcher, 'dispatch', { unitId: 'city-nrp' });
      story.do(actors.handler, 'sign');
      const event = story.do(actors.handler, 'return', { reason: '涉及发改委审批' });
      expect(event.toState).to.equal('consulting');
      expect(story.issue).to.include({ state: 'consulting', tier: 'director', returnCount: 2, unitId: null });
      expect(story.issue.consultation).to.include({ tier: 'director', trigger: 'second_return' });
      expect(story.issue.consultation?.unitIds).to.have.members(['wuxing', 'city-nrp']);
      expect(cst(story.issue.consultation?.dueAt)).to.equal('2026-03-04 17:30');
    });
  });

  describe('consultation', () => {
    function consulting() {
      const story = new IssueStory(at('2026-03-02', '09:00')).signed();
      story.do(actors.dispatcher, 'consult', { tier: 'director', unitIds: ['city-nrp', 'city-drc'] });
      return story;
    }

    it('straight from intake, the triage’s 已超期 does not follow the issue into consultation', () => {
      const start = at('2026-03-02', '09:00');
      const hour = 3_600_000;
      const triage = {
        startAt: start,
        yellowAt: new Date(start.getTime() + hour),
        dueAt: new Date(start.getTime() + 2 * hour),
        overdueAt: new Date(start.getTime() + 3 * hour),
        urged: true,
        supervised: true,
      };
      const story = new IssueStory(start, { triage, warning: 'overdue' });
      story.goTo('2026-03-03', '09:00');
      story.do(actors.dispatcher, 'consult', { tier: 'director', unitIds: ['city-nrp', 'city-drc'] });
      expect(story.issue).to.include({ state: 'consulting', deadlines: null, warning: 'none' });
    });

    it('collects each unit’s input and refuses units outside the list', () => {
      const story = consulting();
      story.do(actors.handler, 'consult_input', { text: '可牵头办理' });
      const event = story.do(actors.drcHandler, 'consult_input', { text: '配合提供指标' });
      expect(event.data).to.deep.include({ allIn: true });
      story.refuses(actors.otherHandler, 'consult_input', { text: '无意见' }, 'not_in_consultation');
    });

    it('a decision names the lead unit and restarts the clock', () => {
      const story = consulting();
      story.goTo('2026-03-04', '10:00');
      story.do(actors.director, 'decide', { unitId: 'city-drc', coUnitIds: ['city-nrp'], workingDays: 10 });
      expect(story.issue).to.include({ state: 'in_progress', unitId: 'city-drc', tier: 'director' });
      expect(cst(story.issue.deadlines?.resolveBy)).to.equal('2026-03-18 17:30');
      expect(story.issue.consultation?.decidedAt).to.deep.equal(at('2026-03-04', '10:00'));
      // A new lead unit: signed for by the decision, with a first-contact limit of its own from now.
      expect(story.issue.deadlines?.signBy).to.deep.equal(at('2026-03-04', '10:00'));
      expect(story.issue.deadlines!.contactBy.getTime()).to.be.above(at('2026-03-04', '10:00').getTime());
    });

    it('a decision keeping the lead unit keeps its sign-for and first-contact limits', () => {
      const story = consulting();
      const { signBy, contactBy } = story.issue.deadlines!;
      story.goTo('2026-03-04', '10:00');
      story.do(actors.director, 'decide', { unitId: story.issue.unitId!, workingDays: 10 });
      expect(story.issue.deadlines).to.deep.include({ signBy, contactBy });
    });

    it('escalates up the tiers, and only a leader decides at the leader tier', () => {
      const story = new IssueStory(at('2026-03-02', '09:00')).signed();
      story.do(SYSTEM_ACTOR, 'escalate');
      expect(story.issue).to.include({ state: 'consulting', tier: 'director', escalated: true });
      expect(story.issue.consultation?.trigger).to.equal('time');
      story.do(actors.director, 'escalate', { reason: '跨区域问题，需市领导协调' });
      expect(story.issue.tier).to.equal('leader');
      story.refuses(actors.leader, 'escalate', {}, 'max_tier');
      story.refuses(actors.director, 'decide', { unitId: 'city-nrp', workingDays: 5 }, 'forbidden');
      story.do(actors.leader, 'decide', { unitId: 'city-nrp', workingDays: 5 });
      expect(story.issue.state).to.equal('in_progress');
    });
  });

  describe('extensions', () => {
    it('are allowed once per issue, with approval', () => {
      const story = new IssueStory(at('2026-02-13', '10:00')).signed();
      story.do(actors.handler, 'request_extension', { workingDays: 5, reason: '需等待省级批复' });
      expect(story.issue.pendingApproval).to.include({ kind: 'extension', workingDays: 5 });
      expect(cst(story.issue.deadlines?.resolveBy)).to.equal('2026-02-27 17:30');
      // The approver sees where the deadline goes if approved: the same date approving sets below.
      expect(cst(story.issue.pendingApproval?.resolveBy)).to.equal('2026-03-05 17:30');
      story.refuses(
        actors.handler,
        'request_extension',
        { workingDays: 2, reason: '再次申请' },
        'approval_pending',
      );
      story.do(actors.director, 'approve_extension');
      expect(cst(story.issue.deadlines?.resolveBy)).to.equal('2026-03-05 17:30');
      expect(story.issue).to.include({ extensionCount: 1, pendingApproval: null });
      const error = story.refuses(
        actors.handler,
        'request_extension',
        { workingDays: 1, reason: '第二次' },
        'extension_limit',
      );
      expect(error.message).to.contain('最多延期1次');
    });

    it('are capped per urgency (complex: 15 more working days, 30 in all)', () => {
      const story = new IssueStory(at('2026-03-02', '09:00'), { urgency: 'complex' }).signed();
      story.refuses(
        actors.handler,
        'request_extension',
        { workingDays: 16, reason: '情况复杂' },
        'extension_too_long',
      );
      story.do(actors.handler, 'request_extension', { workingDays: 15, reason: '情况复杂' });
    });

    it('can be denied, and approvals need a pending request', () => {
      const story = new IssueStory(at('2026-03-02', '09:00')).signed();
      story.refuses(actors.director, 'approve_extension', {}, 'no_pending_request');
      story.do(actors.handler, 'request_extension', { workingDays: 3, reason: '等待材料' });
      const denied = story.do(actors.director, 'deny_request', { reason: '理由不充分' });
      expect(story.issue).to.include({ pendingApproval: null, extensionCount: 0 });
      expect(denied.data).to.not.have.property('withdrawn');
    });

    it('a request the unit’s reply overtakes is named on the reply as withdrawn, not dropped in silence', () => {
      const story = new IssueStory(at('2026-03-02', '09:00')).signed();
      story.do(actors.handler, 'request_extension', { workingDays: 3, reason: '等待材料' });
      const replied = story.do(actors.handler, 'reply', { text: '已办结' });
      expect(story.issue.pendingApproval).to.equal(null);
      expect(replied.data).to.include({ withdrawn: 'extension' });
      const noted = story.do(actors.dispatcher, 'send_back', { reason: '答复不完整' });
      expect(noted.data ?? {}).to.not.have.property('withdrawn');
    });

    it('reset the follow-ups so the new deadline gets its own urge', () => {
      const story = new IssueStory(at('2026-02-13', '10:00')).signed();
      story.goTo('2026-02-27', '09:00');
      story.do(SYSTEM_ACTOR, 'urge');
      expect(story.issue).to.include({ urged: true, warning: 'yellow' });
      story.do(actors.handler, 'request_extension', { workingDays: 5, reason: '等待材料' });
      story.do(actors.director, 'approve_extension');
      expect(story.issue).to.include({ urged: false, warning: 'none' });
      expect(cst(story.issue.nextCheckAt)).to.equal('2026-03-04 17:30');
    });
  });

  describe('suspension', () => {
    it('pauses the clock over the Spring Festival and resumes with the time that was left', () => {
      const story = new IssueStory(at('2026-02-09', '09:00')).signed();
      expect(cst(story.issue.deadlines?.resolveBy)).to.equal('2026-02-14 17:30');
      story.goTo('2026-02-12', '09:00');
      story.do(actors.handler, 'suspend', { reason: '等待企业补充环评材料' });
      expect(story.issue).to.include({ state: 'in_progress' });
      story.do(actors.director, 'approve_suspend');
      expect(story.issue).to.include({ state: 'suspended', nextCheckAt: null });
      // The simulated weeks pass; the light does not change while suspended.
      for (let i = 0; i < 13; i++) story.clock.advance(DAY_MS);
      story.do(actors.handler, 'note', { text: '企业仍在准备材料', public: true });
      expect(story.issue.warning).to.equal('none');
      story.goTo('2026-02-25', '09:00');
      story.do(actors.handler, 'resume', { reason: '企业已补齐环评材料' });
      expect(story.issue).to.include({ state: 'suspended' });
      // What changed goes with the request, for the approver.
      expect(story.issue.pendingApproval).to.include({ kind: 'resume', reason: '企业已补齐环评材料' });
      story.do(actors.director, 'approve_resume');
      expect(story.issue.state).to.equal('in_progress');
      expect(cst(story.issue.deadlines?.resolveBy)).to.equal('2026-02-27 17:30');
    });

    it('takes effect at once when the centre resumes it itself', () => {
      const story = new IssueStory(at('2026-03-02', '09:00')).signed();
      story.do(actors.handler, 'suspend', { reason: '诉讼中' });
      story.do(actors.dispatcher, 'approve_suspend');
      story.do(actors.dispatcher, 'resume');
      expect(story.issue).to.include({ state: 'in_progress', pendingApproval: null });
      // Without a word it still resumes (DESIGN §10: `resume {}`).
      story.do(actors.handler, 'suspend', { reason: '诉讼中' });
      story.do(actors.dispatcher, 'approve_suspend');
      story.do(actors.handler, 'resume', {});
      expect(story.issue.pendingApproval).to.deep.include({ kind: 'resume' });
      expect(story.issue.pendingApproval).to.not.have.property('reason');
    });

    it('refuses a second request while one is pending', () => {
      const story = new IssueStory(at('2026-03-02', '09:00')).signed();
      story.do(actors.handler, 'suspend', { reason: '诉讼中' });
      story.refuses(actors.handler, 'request_extension', { workingDays: 2, reason: 'x' }, 'approval_pending');
      story.refuses(actors.director, 'approve_resume', {}, 'illegal_transition');
    });
  });

  describe('ratings', () => {
    it('a bad rating waits for verification, then a reasonable one is redone with a 5-working-day limit', () => {
      const story = new IssueStory(at('2026-02-09', '09:00')).awaitingRating();
      story.goTo('2026-02-13', '10:00');
      story.do(enterpriseActor('e1'), 'rate', {
        rating: 'bad',
        level: 'dissatisfied',
        comment: '问题没有解决',
      });
      expect(story.issue.state).to.equal('awaiting_rating');
      expect(story.issue.rating).to.include({ rating: 'bad', verification: 'pending' });
      expect(cst(story.issue.rating?.verifyBy)).to.equal('2026-02-14 17:30');
      story.refuses(enterpriseActor('e1'), 'rate', { rating: 'good' }, 'already_rated');
      story.do(actors.director, 'verify_rating', { reasonable: true });
      expect(story.issue).to.include({ state: 'in_progress', redoCount: 1, rating: null, reply: null });
      expect(cst(story.issue.deadlines?.resolveBy)).to.equal('2026-02-27 17:30');
      expect(story.issue.ratingHistory[0]).to.include({ rating: 'bad', verification: 'reasonable' });
    });

    it('a bad rating after a redo goes up to consultation', () => {
      const story = new IssueStory(at('2026-03-02', '09:00')).awaitingRating();
      story.do(enterpriseActor('e1'), 'rate', { rating: 'bad' });
      story.do(actors.director, 'verify_rating', { reasonable: true });
      story.do(actors.handler, 'reply', { text: '已整改' });
      story.do(actors.clerk, 'verify');
      story.do(enterpriseActor('e1'), 'rate', { rating: 'bad' });
      story.do(actors.director, 'verify_rating', { reasonable: true });
      expect(story.issue).to.include({ state: 'consulting', tier: 'director', redoCount: 2 });
      expect(story.issue.consultation?.trigger).to.equal('bad_rating_after_redo');
    });

    it('an upheld appeal removes the bad rating and closes the issue, reason recorded', () => {
      const story = new IssueStory(at('2026-03-02', '09:00')).awaitingRating();
      story.do(enterpriseActor('e1'), 'rate', { rating: 'bad', comment: '要求减免全部税款' });
      story.refuses(actors.director, 'verify_rating', { reasonable: false }, 'reason_required');
      const event = story.do(actors.director, 'verify_rating', {
        reasonable: false,
        reason: '诉求超出政策范围，已解释',
      });
      expect(story.issue.state).to.equal('closed');
      expect(story.issue.rating).to.include({
        verification: 'removed',
        verifyReason: '诉求超出政策范围，已解释',
      });
      expect(event).to.include({ note: '诉求超出政策范围，已解释', public: true });
    });

    it('refuses a level that contradicts the rating, and verification without a bad rating', () => {
      const story = new IssueStory(at('2026-03-02', '09:00')).awaitingRating();
      story.refuses(
        enterpriseActor('e1'),
        'rate',
        { rating: 'good', level: 'very_dissatisfied' },
        'rating_level_mismatch',
      );
      story.refuses(actors.director, 'verify_rating', { reasonable: true }, 'not_rated');
    });

    it('a callback records attempts and, once the enterprise is reached, its rating', () => {
      const story = new IssueStory(at('2026-03-02', '09:00')).awaitingRating();
      story.goTo('2026-03-06', '09:00');
      story.do(SYSTEM_ACTOR, 'request_callback');
      expect(story.issue.callbackRequested).to.equal(true);
      story.do(actors.clerk, 'callback', { reached: false, note: '电话无人接听' });
      story.refuses(actors.clerk, 'callback', { reached: false, rating: 'good' }, 'invalid_input');
      story.do(actors.clerk, 'callback', { reached: true, level: 'satisfied', note: '企业表示满意' });
      expect(story.issue).to.include({ state: 'closed', callbackAttempts: 2 });
      expect(story.issue.rating).to.include({ rating: 'good', level: 'satisfied', source: 'callback' });
    });

    it('a bad rating given on the callback keeps what the enterprise said as its reason, for 差评核实', () => {
      const story = new IssueStory(at('2026-03-02', '09:00')).awaitingRating();
      story.goTo('2026-03-06', '09:00');
      story.do(actors.clerk, 'callback', {
        reached: true,
        level: 'dissatisfied',
        note: '企业称补贴仍未到账',
      });
      expect(story.issue.rating).to.include({
        rating: 'bad',
        source: 'callback',
        comment: '企业称补贴仍未到账',
        verification: 'pending',
      });
    });
  });

  describe('merge, reject and reopen', () => {
    it('merges a duplicate into its master, never into itself', () => {
      const story = new IssueStory(at('2026-03-02', '09:00')).dispatched();
      story.refuses(actors.dispatcher, 'merge', { intoId: 'issue-1' }, 'invalid_input');
      story.do(actors.dispatcher, 'merge', { intoId: 'issue-7' });
      expect(story.issue).to.include({ state: 'merged', mergedInto: 'issue-7', nextCheckAt: null });
    });

    it('rejects with an explanation and reopens with a clean slate', () => {
      const story = new IssueStory(at('2026-03-02', '09:00'));
      story.do(actors.clerk, 'reject', { reason: '属于民事纠纷，建议通过诉讼解决' });
      expect(story.issue).to.include({ state: 'rejected', rejectReason: '属于民事纠纷，建议通过诉讼解决' });
      story.do(actors.director, 'reopen', { reason: '企业补充了新情况' });
      expect(story.issue).to.include({
        state: 'received',
        reopenCount: 1,
        rejectReason: null,
        deadlines: null,
      });
    });

    it('reopens a closed issue, keeping its rating in the history', () => {
      const story = new IssueStory(at('2026-03-02', '09:00')).awaitingRating();
      story.do(enterpriseActor('e1'), 'rate', { rating: 'good' });
      story.do(actors.supervisor, 'reopen', { reason: '督查发现问题反弹' });
      expect(story.issue).to.include({ state: 'received', rating: null, unitId: null });
      expect(story.issue.ratingHistory).to.have.length(1);
    });
  });

  describe('transfer and co-units', () => {
    it('transfers to another unit, which must sign again', () => {
      const story = new IssueStory(at('2026-03-02', '09:00')).signed();
      story.do(actors.dispatcher, 'transfer', { unitId: 'city-drc', reason: '职责调整' });
      expect(story.issue).to.include({ state: 'dispatched', unitId: 'city-drc', signedAt: null });
      story.refuses(actors.dispatcher, 'transfer', { unitId: 'city-drc', reason: '重复' }, 'invalid_input');
    });

    it('adds a co-unit once', () => {
      const story = new IssueStory(at('2026-03-02', '09:00')).signed();
      story.do(actors.dispatcher, 'add_co_unit', { unitId: 'city-hrss' });
      expect(story.issue.coUnitIds).to.deep.equal(['city-hrss']);
      story.refuses(actors.dispatcher, 'add_co_unit', { unitId: 'city-hrss' }, 'invalid_input');
      story.refuses(actors.dispatcher, 'add_co_unit', { unitId: 'city-nrp' }, 'invalid_input');
    });
  });
});

// Test fixtures: staff of every role, a simulated clock, and a driver that applies actions and keeps the
// timeline, so lifecycle tests read like the story of an issue.

import { expect } from 'chai';
import { createSimulatedClock, HOUR_MS } from '../../../../shared/clock.ts';
import { chinaTime, createWorkCalendar } from '../../../../shared/calendar.ts';
import type { Actor, Role } from '../../../../shared/roles.ts';
import {
  applyAction,
  createIssueCore,
  TransitionError,
  type ActionId,
  type DomainActor,
  type IssueCore,
  type TimelineEvent,
} from '../../../../shared/lifecycle.ts';
import { DEFAULT_TIME_LIMIT_POLICY } from '../../../../config/time-limits.ts';

export const calendar = createWorkCalendar();
export const policy = DEFAULT_TIME_LIMIT_POLICY;
export const at = (date: string, time = '00:00') => chinaTime(date, time);
export const cst = (d: Date | null | undefined) =>
  d ? new Date(d.getTime() + 8 * HOUR_MS).toISOString().slice(0, 16).replace('T', ' ') : null;

const staff = (role: Role, unitId?: string): Actor => ({
  id: `u-${role}-${unitId ?? 'centre'}`,
  username: role,
  role,
  unitId,
});
export const actors = {
  clerk: staff('clerk', 'centre'),
  dispatcher: staff('dispatcher', 'centre'),
  director: staff('director', 'centre'),
  leader: staff('leader'),
  supervisor: staff('supervisor'),
  admin: staff('admin'),
  handler: staff('handler', 'city-nrp'),
  unitHead: staff('unit_head', 'city-nrp'),
  otherHandler: staff('handler', 'wuxing'),
  drcHandler: staff('handler', 'city-drc'),
} satisfies Record<string, DomainActor>;

export class IssueStory {
  readonly clock;
  issue: IssueCore;
  readonly timeline: TimelineEvent[] = [];

  constructor(start: Date, init: Partial<IssueCore> = {}) {
    this.clock = createSimulatedClock(start);
    this.issue = { ...createIssueCore({ urgency: 'normal', category: 'land' }), ...init };
  }

  do(actor: DomainActor, action: ActionId, input: unknown = {}): TimelineEvent {
    const result = applyAction(this.issue, action, input, {
      now: this.clock.now(),
      actor,
      calendar,
      policy,
      issueId: 'issue-1',
    });
    this.issue = result.issue;
    this.timeline.push(result.event);
    return result.event;
  }

  /** Expects the action to be refused with `code`, leaving the issue as it was. */
  refuses(actor: DomainActor, action: ActionId, input: unknown, code: string): TransitionError {
    const before = this.issue;
    let caught: unknown;
    try {
      this.do(actor, action, input);
    } catch (e) {
      caught = e;
    }
    expect(caught, `${action} should be refused with ${code}`).to.be.instanceOf(TransitionError);
    expect((caught as TransitionError).code).to.equal(code);
    expect(this.issue).to.equal(before);
    return caught as TransitionError;
  }

  /** Jumps to a China wall time. */
  goTo(date: string, time: string): void {
    this.clock.set(at(date, time));
  }

  dispatched(unitId = 'city-nrp'): this {
    this.do(actors.dispatcher, 'dispatch', { unitId });
    return this;
  }

  signed(): this {
    this.dispatched();
    this.do(actors.handler, 'sign');
    return this;
  }

  awaitingRating(): this {
    this.signed();
    this.do(actors.handler, 'reply', { text: '已协调完成厂房验收' });
    this.do(actors.clerk, 'verify');
    return this;
  }
}

// What an enterprise can read about its issue: the printed code shows only stage, unit and promised date; the
// verified owner sees public progress, never internal notes or staff identities.
import { expect } from 'chai';
import { Types } from 'mongoose';
import { createWorkCalendar } from '../../../shared/calendar.ts';
import { createIssueCore } from '../../../shared/lifecycle/issue-core.ts';
import type { IssueDoc } from '../../../server/models/issue.model.ts';
import {
  presentIssuePublic,
  presentIssuePublicSummary,
} from '../../../server/presenters/issue-public.presenter.ts';

const at = (h: number) => new Date(Date.UTC(2026, 2, 2, h));

function issue(overrides: Partial<IssueDoc> = {}): IssueDoc {
  const core = createIssueCore({ urgency: 'normal', category: 'land' });
  return {
    ...core,
    _id: new Types.ObjectId(),
    number: 'HZ-2026-000001',
    enterpriseId: new Types.ObjectId(),
    enterpriseName: '德清示例科技有限公司',
    enterpriseCreditCode: '91330521MA0000000X',
    region: 'deqing',
    channel: 'qr',
    title: '厂房验收',
    content: '新厂房验收迟迟未安排',
    classification: { source: 'input', confidence: 1 },
    routing: { source: 'config' },
    unitId: new Types.ObjectId(),
    unitName: '德清县企业综合服务中心',
    coUnitIds: [],
    returnedFrom: [],
    consultUnitIds: [],
    mergedInto: null,
    mergedFrom: [],
    dueAt: null,
    timeline: [
      {
        at: at(1),
        actorId: 'u1',
        actorName: 'clerk',
        actorRole: 'clerk',
        action: 'create',
        fromState: null,
        toState: 'received',
        public: true,
      },
      {
        at: at(2),
        actorId: 'u2',
        actorName: 'handler-x',
        actorRole: 'handler',
        action: 'note',
        fromState: 'in_progress',
        toState: 'in_progress',
        public: false,
        note: '内部：需查档',
      },
      {
        at: at(3),
        actorId: 'u2',
        actorName: 'handler-x',
        actorRole: 'handler',
        action: 'note',
        fromState: 'in_progress',
        toState: 'in_progress',
        public: true,
        note: '已联系企业',
      },
    ],
    version: 3,
    createdBy: 'u1',
    createdAt: at(1),
    updatedAt: at(3),
    ...overrides,
  } as IssueDoc;
}

describe('public issue presenter', () => {
  it('the printed code shows only stage, unit and promised date', () => {
    const doc = issue({ state: 'replied' });
    const summary = presentIssuePublicSummary(doc);
    expect(Object.keys(summary).sort()).to.deep.equal([
      'number',
      'overdueWorkingDays',
      'paused',
      'promisedBy',
      'replanPending', // whether the promised date is the issue's own, to be set anew by a consultation
      'responsible',
      'stage',
      'stageLabel',
    ]);
    // The centre's review of a reply is internal: the enterprise still sees "being handled".
    expect(summary).to.include({
      stage: 'in_progress',
      stageLabel: '办理中',
      responsible: '德清县企业综合服务中心',
    });
  });

  it('names who is responsible: the unit, 服务中心分派中 before dispatch, the centre for what it settled itself', () => {
    const none = { unitId: null, unitName: null } as Partial<IssueDoc>;
    const responsible = (o: Partial<IssueDoc>) => presentIssuePublicSummary(issue(o)).responsible;
    expect(responsible({ state: 'in_progress' })).to.equal('德清县企业综合服务中心');
    expect(responsible({ ...none, state: 'received' })).to.equal('服务中心分派中');
    expect(responsible({ ...none, state: 'rejected' })).to.equal('湖州市企业综合服务中心');
    expect(responsible({ ...none, state: 'merged' })).to.equal('湖州市企业综合服务中心');
    // A second 退单 convenes the units: the centre coordinates, it is not dispatching.
    expect(responsible({ ...none, state: 'consulting' })).to.equal('服务中心组织协调');
  });

  it('the verified owner sees public progress, without internal notes or staff identities', () => {
    const view = presentIssuePublic(issue({ state: 'in_progress' }));
    expect(view.progress.map((p) => p.note)).to.deep.equal([null, '已联系企业']);
    expect(JSON.stringify(view)).to.not.match(/handler-x|u2|内部/);
    expect(view.canRate).to.equal(false);
  });

  it('names the unit a step handed the issue to, never the note staff wrote beside it', () => {
    const lead = new Types.ObjectId();
    const step = (action: string, data: Record<string, unknown>, note: string) => ({
      at: at(2),
      actorId: 'system',
      actorName: '系统',
      actorRole: 'system' as const,
      action: action as 'dispatch',
      fromState: 'received' as const,
      toState: 'dispatched' as const,
      public: true,
      note,
      data,
    });
    const doc = issue({
      state: 'dispatched',
      unitId: lead,
      unitName: '湖州市税务局',
      timeline: [
        step('dispatch', { unitId: 'u-first' }, '系统按分类与属地自动分办'),
        step('transfer', { unitId: String(lead) }, '内部：不属于本单位职责'),
      ],
    });
    const units = new Map([['u-first', { name: '湖州市发展和改革委员会' }]]);
    expect(presentIssuePublic(doc, undefined, units).progress.map((p) => [p.label, p.note])).to.deep.equal([
      ['分派承办单位', '湖州市发展和改革委员会'],
      ['转交承办单位', '湖州市税务局'],
    ]);
    // Without the names at hand, a unit other than the current one is left unnamed rather than guessed.
    expect(presentIssuePublic(doc).progress.map((p) => p.note)).to.deep.equal([null, '湖州市税务局']);
  });

  it('offers rating only while awaiting one, and hides a rating removed on appeal', () => {
    expect(presentIssuePublic(issue({ state: 'awaiting_rating' })).canRate).to.equal(true);
    const removed = issue({
      state: 'closed',
      rating: { rating: 'bad', at: at(5), source: 'enterprise', verification: 'removed' },
    });
    expect(presentIssuePublic(removed).rating).to.equal(null);
  });

  it('asks for the rating by its date while the date is ahead, and without a date once it has passed', () => {
    const calendar = createWorkCalendar();
    const rateBy = new Date('2026-10-19T09:30:00Z');
    const awaiting = issue({ state: 'awaiting_rating', rateBy });
    const on = (now: string) => presentIssuePublic(awaiting, { now: new Date(now), calendar });
    expect(on('2026-10-16T02:00:00Z')).to.include({ canRate: true, rateBy });
    expect(on('2026-12-04T02:00:00Z')).to.include({ canRate: true, rateBy: null });
  });

  it('says how many working days a passed promise is overdue, counted by the calendar given', () => {
    const calendar = createWorkCalendar();
    // Due at the end of Wednesday 30 September 2026, just before the National Day holiday: 1–7 October are
    // off, Saturday 10 October is worked (DESIGN §5).
    const resolveBy = new Date('2026-09-30T09:30:00Z'); // 17:30 China time
    const open = issue({
      state: 'in_progress',
      deadlines: { startAt: at(1), resolveBy } as IssueDoc['deadlines'],
    });
    const overdue = (now: string) =>
      presentIssuePublicSummary(open, { now: new Date(now), calendar }).overdueWorkingDays;
    expect(overdue('2026-09-30T09:00:00Z')).to.equal(null);
    expect(overdue('2026-09-30T12:00:00Z')).to.equal(0); // that evening: passed, no working day yet
    expect(overdue('2026-10-07T12:00:00Z')).to.equal(0); // the holiday counts for nothing
    expect(overdue('2026-10-08T02:00:00Z')).to.equal(1); // Thursday 8 October, 10:00
    expect(overdue('2026-10-10T10:00:00Z')).to.equal(3); // the worked Saturday, 18:00: 8, 9 and 10 October
    expect(presentIssuePublicSummary(open).overdueWorkingDays).to.equal(null);
    const closed = issue({ state: 'closed', deadlines: open.deadlines });
    expect(
      presentIssuePublicSummary(closed, { now: new Date('2026-10-10T10:00:00Z'), calendar })
        .overdueWorkingDays,
    ).to.equal(null);
  });

  it('promises a class problem’s member the class’s deadline while the class is handled, not its own passed one', () => {
    const calendar = createWorkCalendar();
    const classId = new Types.ObjectId();
    const own = new Date('2026-11-13T09:30:00Z');
    const classDue = new Date('2026-12-18T09:30:00Z');
    const member = issue({
      state: 'consulting',
      classProblemId: classId,
      deadlines: { startAt: at(1), resolveBy: own } as IssueDoc['deadlines'],
    });
    const now = new Date('2026-12-04T02:00:00Z');
    const handled = { now, calendar, classDeadlines: new Map([[String(classId), classDue]]) };
    // In consultation, the class's date is not the one a consultation will set anew: no 将重新确定办结时限.
    expect(presentIssuePublicSummary(member, handled)).to.include({
      promisedBy: classDue,
      overdueWorkingDays: null,
      replanPending: false,
    });
    expect(presentIssuePublic(member, handled)).to.include({
      promisedBy: classDue,
      promisedWithClass: true,
      replanPending: false,
    });
    // The class answered (or the member left it): the member's own deadline, and how late it is.
    const answered = { now, calendar, classDeadlines: new Map<string, Date>() };
    const alone = presentIssuePublic(member, answered);
    expect(alone).to.include({ promisedBy: own, promisedWithClass: false, replanPending: true });
    expect(presentIssuePublicSummary(member, answered)).to.include({ promisedBy: own, replanPending: true });
    expect(alone.overdueWorkingDays).to.be.greaterThan(0);
    // Paused or finished: no promise at all, class or not.
    const paused = issue({ ...member, deadlines: { ...member.deadlines!, pausedAt: at(2) } });
    expect(presentIssuePublic(paused, handled)).to.include({ promisedBy: null, promisedWithClass: false });
    expect(presentIssuePublic(issue({ ...member, state: 'closed' }), handled).promisedBy).to.equal(null);
  });

  it('shows the owner their bad rating waiting for the centre’s check (差评核实中), not 待评价', () => {
    const pending = issue({
      state: 'awaiting_rating',
      rating: { rating: 'bad', at: at(5), source: 'enterprise', verification: 'pending' },
    });
    expect(presentIssuePublic(pending)).to.include({
      stage: 'verifying',
      stageLabel: '差评核实中',
      canRate: false,
    });
    expect(presentIssuePublic(issue({ state: 'awaiting_rating' }))).to.include({
      stage: 'awaiting_rating',
      stageLabel: '待评价',
    });
  });

  it('names a class problem by what it means to the owner, never by its staff number or title', () => {
    const link = (classLink: string, data: Record<string, unknown>, note: string) => ({
      at: at(3),
      actorId: 'u3',
      actorName: 'director',
      actorRole: 'director' as const,
      action: 'note' as const,
      fromState: 'in_progress' as const,
      toState: 'in_progress' as const,
      public: true,
      note,
      data: { classLink, classNumber: 'LW-2026-001', classTitle: '织里园区停电（内部汇总）', ...data },
    });
    const doc = issue({
      state: 'in_progress',
      timeline: [
        link(
          'add',
          { otherEnterprises: 4, leadUnitName: '国网湖州供电公司' },
          '本问题已纳入类问题 LW-2026-001「织里园区停电（内部汇总）」，与其他 4 家企业的同类问题合并办理',
        ),
        // Stored before the count and the lead unit rode along: the page still says what it means.
        link(
          'add',
          {},
          '本问题已纳入类问题 LW-2026-001「织里园区停电（内部汇总）」，与其他 4 家企业的同类问题合并办理',
        ),
        link('remove', {}, '本问题已移出类问题 LW-2026-001，单独办理'),
      ],
    });
    const steps = presentIssuePublic(doc).progress.map((p) => [p.label, p.note]);
    expect(steps).to.deep.equal([
      ['同类问题合并办理', '本问题与其他 4 家企业的同类问题合并办理，牵头单位：国网湖州供电公司'],
      ['同类问题合并办理', '本问题与其他企业的同类问题合并办理'],
      ['不再合并办理，单独办理', null],
    ]);
    expect(JSON.stringify(steps)).to.not.match(/LW-|内部汇总|纳入类问题|移出类问题/);
  });

  it('says a unit handed the issue back (退单) and what happens next, never its reason', () => {
    const back = (toState: 'received' | 'consulting') => ({
      at: at(4),
      actorId: 'u2',
      actorName: 'handler-x',
      actorRole: 'handler' as const,
      action: 'return' as const,
      fromState: 'dispatched' as const,
      toState,
      public: true,
      note: '内部：该事项不属于本单位职责',
      data: { legalBasis: '三定方案' },
    });
    const first = presentIssuePublic(issue({ state: 'received', timeline: [back('received')] }));
    expect(first.progress.map((p) => [p.label, p.note])).to.deep.equal([
      ['承办单位退回，服务中心重新分派', null],
    ]);
    const second = presentIssuePublic(issue({ state: 'consulting', timeline: [back('consulting')] }));
    expect(second.progress.map((p) => p.label)).to.deep.equal(['承办单位退回，提请多部门协调办理']);
    expect(JSON.stringify(second)).to.not.include('三定方案').and.not.include('不属于本单位');
  });

  it('shows the owner their own rating as given (评价「不满意」), with their comment', () => {
    const doc = issue({
      state: 'awaiting_rating',
      timeline: [
        {
          at: at(5),
          actorId: 'enterprise',
          actorName: '德清示例科技有限公司',
          actorRole: 'enterprise',
          action: 'rate',
          fromState: 'awaiting_rating',
          toState: 'awaiting_rating',
          public: true,
          note: '答复没有解决问题',
          data: { rating: 'bad', level: 'dissatisfied', source: 'enterprise' },
        },
      ],
    });
    expect(presentIssuePublic(doc).progress.map((p) => [p.label, p.note])).to.deep.equal([
      ['评价「不满意」', '答复没有解决问题'],
    ]);
  });

  it('calls a tier escalation 提请上级协调办理, not the staff word 提级协调', () => {
    const doc = issue({
      state: 'consulting',
      timeline: [
        {
          at: at(4),
          actorId: 'system',
          actorName: '系统',
          actorRole: 'system',
          action: 'escalate',
          fromState: 'in_progress',
          toState: 'consulting',
          public: true,
          note: '红灯后3个工作日仍未办结，自动提级',
        },
      ],
    });
    expect(presentIssuePublic(doc).progress.map((p) => [p.label, p.note])).to.deep.equal([
      ['提请上级协调办理', null],
    ]);
  });
});

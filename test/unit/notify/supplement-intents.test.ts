// Who hears the owner's 补充材料: the units holding the issue, or the centre while it waits in 待受理 or
// checks a bad rating (待评价 with the rating pending); other notes tell no one (a merged repeat tells only
// its sender; a WeChat picture following its sender's complaint is material, like 补充材料).
import { expect } from 'chai';
import type { IssueChange } from '../../../server/commands/issue-deps.ts';
import { ENTERPRISE_SUPPLEMENT } from '../../../server/commands/issue-supplement.command.ts';
import { intentsOf } from '../../../server/notify/intents.ts';
import { DEFAULT_TEMPLATES, render } from '../../../server/notify/templates.ts';

const note = (state: IssueChange['state'], data?: Record<string, unknown>): IssueChange => ({
  issueId: 'i',
  number: 'HZ-2026-000338',
  action: 'note',
  fromState: state,
  state,
  unitId: state === 'received' ? null : 'u',
  coUnitIds: [],
  enterpriseId: 'e',
  actorId: 'enterprise:e',
  at: new Date(0),
  ...(data ? { data } : {}),
});

describe('the owner’s 补充材料 (intents)', () => {
  it('tells the units holding the issue, or the centre before dispatch and while it checks a bad rating', () => {
    const supplement = { kind: ENTERPRISE_SUPPLEMENT };
    expect(intentsOf(note('suspended', supplement))).to.deep.equal([
      { event: 'enterprise_supplement', audience: 'unit' },
    ]);
    expect(intentsOf(note('received', supplement))).to.deep.equal([
      { event: 'enterprise_supplement', audience: 'centre' },
    ]);
    expect(intentsOf(note('awaiting_rating', supplement))).to.deep.equal([
      { event: 'enterprise_supplement', audience: 'centre' },
    ]);
    expect(intentsOf(note('in_progress'))).to.deep.equal([]);
    const text = render(DEFAULT_TEMPLATES.enterprise_supplement, {
      number: 'HZ-2026-000338',
      title: '冷链仓储',
    });
    expect(text).to.equal('问题HZ-2026-000338「冷链仓储」企业补充了说明或材料，请查看。');
  });

  it('a WeChat picture following its sender’s complaint is material for the holder; a repeat tells its sender', () => {
    const picture = { kind: 'source_merged', channel: 'wechat', inboxId: 'x', filesOnly: true };
    expect(intentsOf(note('in_progress', picture))).to.deep.equal([
      { event: 'enterprise_supplement', audience: 'unit' },
    ]);
    expect(intentsOf(note('received', picture))).to.deep.equal([
      { event: 'enterprise_supplement', audience: 'centre' },
    ]);
    const repeat = { kind: 'source_merged', channel: 'sms', inboxId: 'y' };
    expect(intentsOf(note('in_progress', repeat))).to.deep.equal([
      { event: 'source_merged', audience: 'sender' },
    ]);
    // A reply in the issue's own mail thread adds to it (补充内容告知, not 无需重复反映); a bare 谢谢 there, nothing.
    const reply = { kind: 'source_merged', channel: 'email', inboxId: 'w', thread: true };
    expect(intentsOf(note('in_progress', reply))).to.deep.equal([
      { event: 'source_added', audience: 'sender' },
      { event: 'enterprise_supplement', audience: 'unit' },
    ]);
    expect(intentsOf(note('in_progress', { ...reply, courtesy: true }))).to.deep.equal([]);
    // 不满意 there: its sender hears where the owner rates, the centre (which calls back) that it was said.
    expect(intentsOf(note('awaiting_rating', { ...reply, dissatisfied: true }))).to.deep.equal([
      { event: 'rating_howto', audience: 'sender' },
      { event: 'reply_dissatisfied', audience: 'centre' },
    ]);
    // 满意 there: its sender hears where to rate; nobody is sent to call back.
    expect(intentsOf(note('awaiting_rating', { ...reply, satisfied: true }))).to.deep.equal([
      { event: 'rating_howto', audience: 'sender' },
    ]);
  });

  it('files a message brought that could not be kept are named to its sender, and nobody else', () => {
    const refused = { kind: 'attachments_refused', inboxId: 'z', attachments: [] };
    for (const state of ['received', 'in_progress', 'awaiting_rating'] as const)
      expect(intentsOf(note(state, refused))).to.deep.equal([
        { event: 'attachments_refused', audience: 'sender' },
      ]);
  });
});

// Opening a notice from the bell (web lib/notices): it is read with the other unread notices of its issue,
// not with another issue's; a notice without an issue, or one already read, reads only itself, or nothing.
import { expect } from 'chai';
import { eventOf, groupByIssue, readTogether } from '../../../web/src/lib/notices.ts';

describe('the bell: notices read together (web lib/notices)', () => {
  const items = [
    { id: '1', issueId: 'A', read: false },
    { id: '2', issueId: 'A', read: false },
    { id: '3', issueId: 'B', read: false },
    { id: '4', issueId: 'A', read: true },
    { id: '5', issueId: null, read: false },
    { id: '6', issueId: null, read: false },
  ];
  const ids = (id: string) => readTogether(items, id).map((n) => n.id);

  it('reads the unread notices of the opened notice’s issue, and only those', () => {
    expect(ids('2')).to.deep.equal(['1', '2']);
    expect(ids('3')).to.deep.equal(['3']);
  });

  it('a notice without an issue reads itself; one already read, or unknown, reads nothing', () => {
    expect(ids('5')).to.deep.equal(['5']);
    expect(ids('4')).to.deep.equal([]);
    expect(ids('9')).to.deep.equal([]);
  });
});

describe('the bell: one line per issue (web lib/notices)', () => {
  it('keeps each issue’s newest notice, in order, with its others; a notice without an issue stands alone', () => {
    const items = [
      { id: '1', issueId: 'A', read: false, title: '超期 HZ-2026-000001' },
      { id: '2', issueId: 'B', read: true, title: '红灯预警 HZ-2026-000002' },
      { id: '3', issueId: 'A', read: false, title: '通报 HZ-2026-000001' },
      { id: '4', issueId: null, read: false, title: '渠道消息处理失败' },
      { id: '5', issueId: 'A', read: true, title: '红灯预警 HZ-2026-000001' },
      { id: '6', issueId: null, read: true, title: '短信验证码暂停' },
    ];
    const groups = groupByIssue(items);
    expect(groups.map((g) => [g.head.id, g.more.map((m) => m.id), g.unread])).to.deep.equal([
      ['1', ['3', '5'], true],
      ['2', [], false],
      ['4', [], true],
      ['6', [], false],
    ]);
    expect(groups[0]!.more.map((m) => eventOf(m.title))).to.deep.equal(['通报', '红灯预警']);
  });
});

// Opening a notice from the bell (web lib/notices): it is read with the other unread notices of its issue,
// not with another issue's; a notice without an issue, or one already read, reads only itself, or nothing.
import { expect } from 'chai';
import { readTogether } from '../../../web/src/lib/notices.ts';

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

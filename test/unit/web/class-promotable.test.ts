// A candidate class problem says why 立项 is disabled or takes fewer than its members (web lib/class-problems).
import { expect } from 'chai';
import { promotableNote } from '../../../web/src/lib/class-problems.ts';

describe('候选类问题: what 立项 can take (web lib/class-problems)', () => {
  it('says nothing when every member can be promoted', () => {
    expect(promotableNote({ promotableCount: 6, memberCount: 6 })).to.equal('');
  });

  it('names the count and why the rest cannot be taken', () => {
    expect(promotableNote({ promotableCount: 3, memberCount: 6 })).to.equal(
      '可立项 3 个，其余已办结、未分办或已在类问题中',
    );
  });

  it('says why 立项 is disabled when fewer than two remain', () => {
    expect(promotableNote({ promotableCount: 0, memberCount: 6 })).to.equal(
      '可立项 0 个，不足 2 个：其余已办结、未分办或已在类问题中',
    );
  });
});

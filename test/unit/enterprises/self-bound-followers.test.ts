// Which accepted followers bound themselves (before 236f447): those whose issues only the WeChat channel's own
// merge on binding moved into the enterprise (self-bound-followers.upgrade.ts), told from the stored timeline.
import { expect } from 'chai';
import { selfBoundFollowers } from '../../../server/enterprises/self-bound-followers.upgrade.ts';

const E = '0123456789abcdef01234567';
const byBinding = (into = E) => ({
  actorId: 'system',
  note: '微信用户发送统一社会信用代码完成绑定，其此前以「待确认企业（微信公众号用户…0001）」登记的来件归入本企业',
  data: { kind: 'enterprise_merged', into },
});
const byStaff = {
  actorId: 'u1',
  note: '来件企业「…」经核实为「…」，已归并',
  data: { kind: 'enterprise_merged', into: E },
};
const issue = (openid: string, ...timeline: object[]) => ({ contact: { openid }, timeline });

describe('selfBoundFollowers (the upgrade’s rule)', () => {
  it('names a follower whose issues only its own binding merged in', () => {
    expect(
      selfBoundFollowers(E, ['oSelf', 'oStaff'], [issue('oSelf', byBinding()), issue('oStaff', byStaff)]),
    ).to.deep.equal(['oSelf']);
  });

  it('keeps one the centre also merged in, one merged elsewhere, and one with no trace', () => {
    const issues = [
      issue('oBoth', byBinding()),
      issue('oBoth', byStaff),
      issue('oElsewhere', byBinding('fedcba9876543210fedcba98')),
    ];
    expect(selfBoundFollowers(E, ['oBoth', 'oElsewhere', 'oConfirmed'], issues)).to.deep.equal([]);
  });

  it('reads only the channel’s binding note as the channel’s: another system note is no evidence', () => {
    const other = { ...byBinding(), note: '系统自动归并' };
    expect(selfBoundFollowers(E, ['oX'], [issue('oX', other)])).to.deep.equal([]);
  });
});

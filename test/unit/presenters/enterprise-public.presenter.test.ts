// What anyone holding the printed code reads of the enterprise's name: masked, the owner still recognising it.
import { expect } from 'chai';
import { maskEnterpriseName } from '../../../server/presenters/enterprise-public.presenter.ts';

describe('public enterprise presenter: the masked name', () => {
  it('keeps the first two characters and the legal form, hides the distinctive middle', () => {
    expect(maskEnterpriseName('湖州德润印染有限公司')).to.equal('湖州****有限公司');
    expect(maskEnterpriseName('德清厂')).to.equal('德**');
  });

  it('a provisional enterprise reads 待确认企业, not its bracket cut in two (待确****670）)', () => {
    expect(maskEnterpriseName('待确认企业（138****5670）')).to.equal('待确认企业');
  });
});

// The day a 会商决定 or 立项 form is about to promise, as the form shows it: China time with its weekday, also
// when the instant is on another day in UTC.
import { expect } from 'chai';
import { chinaTimeWithWeekday as dueText } from '../../../web/src/lib/format.ts';

describe('web: the due-date preview', () => {
  it('shows China time and the weekday of the China date', () => {
    expect(dueText('2026-12-18T09:30:00Z')).to.equal('2026-12-18 17:30（周五）');
    expect(dueText('2026-12-18T16:30:00Z')).to.equal('2026-12-19 00:30（周六）');
    expect(dueText('2026-12-20T01:00:00Z')).to.equal('2026-12-20 09:00（周日）');
  });
});

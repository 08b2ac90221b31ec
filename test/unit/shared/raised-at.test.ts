// 来件时间 beside 受理时间 on the issue page: shown when the enterprise raised it at another time than the centre
// took it in (a 12345 order hours before, a dead letter filed days later), never as a second line saying the same
// minute (every WeChat text).
import { expect } from 'chai';
import { shownRaisedAt } from '../../../shared/raised-at.ts';

describe('shownRaisedAt (来件时间 only when it says something)', () => {
  const received = '2026-03-02T01:00:00.000Z';

  it('hides one within the same minute of 受理时间, either side, or none at all', () => {
    for (const raised of ['2026-03-02T01:00:00.000Z', '2026-03-02T00:59:01.000Z', '2026-03-02T01:00:59.999Z'])
      expect(shownRaisedAt(raised, received), raised).to.equal(null);
    expect(shownRaisedAt(null, received)).to.equal(null);
    expect(shownRaisedAt(undefined, received)).to.equal(null);
    expect(shownRaisedAt('', received)).to.equal(null);
  });

  it('shows one a minute or more apart: a work order raised before, a stamp a little ahead', () => {
    for (const raised of ['2026-03-02T00:59:00.000Z', '2026-03-01T22:00:00.000Z', '2026-03-02T01:01:00.000Z'])
      expect(shownRaisedAt(raised, received), raised).to.equal(raised);
  });

  it('takes Dates as the server holds them', () => {
    const raised = new Date('2026-02-27T08:00:00Z');
    expect(shownRaisedAt(raised, new Date(received))).to.equal(raised);
    expect(shownRaisedAt(new Date(received), new Date(received))).to.equal(null);
  });
});

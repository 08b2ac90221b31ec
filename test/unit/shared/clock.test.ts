import { expect } from 'chai';
import { createSimulatedClock, HOUR_MS, systemClock } from '../../../shared/clock.ts';

describe('clock', () => {
  it('a simulated clock stands still until advanced', () => {
    const clock = createSimulatedClock(new Date('2026-02-13T01:00:00Z'));
    expect(clock.now().toISOString()).to.equal('2026-02-13T01:00:00.000Z');
    expect(clock.now().toISOString()).to.equal('2026-02-13T01:00:00.000Z');
    clock.advance(2 * HOUR_MS);
    expect(clock.now().toISOString()).to.equal('2026-02-13T03:00:00.000Z');
  });

  it('can be set to an absolute instant', () => {
    const clock = createSimulatedClock(new Date('2026-01-01T00:00:00Z'));
    clock.set(new Date('2026-10-08T00:30:00Z'));
    expect(clock.now().toISOString()).to.equal('2026-10-08T00:30:00.000Z');
  });

  it('hands out copies so callers cannot move time by mutating a Date', () => {
    const clock = createSimulatedClock(new Date('2026-01-01T00:00:00Z'));
    clock.now().setFullYear(1999);
    expect(clock.now().getUTCFullYear()).to.equal(2026);
  });

  it('rejects invalid dates and steps', () => {
    expect(() => createSimulatedClock(new Date('nope'))).to.throw(RangeError);
    const clock = createSimulatedClock(new Date('2026-01-01T00:00:00Z'));
    expect(() => clock.advance(Number.NaN)).to.throw(RangeError);
    expect(() => clock.set(new Date('nope'))).to.throw(RangeError);
  });

  it('the system clock tracks real time', () => {
    const before = Date.now();
    const t = systemClock.now().getTime();
    expect(t).to.be.within(before, Date.now());
  });
});

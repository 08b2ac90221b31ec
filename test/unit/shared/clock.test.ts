import { expect } from 'chai';
import { createRunningClock, createSimulatedClock, HOUR_MS, systemClock } from '../../../shared/clock.ts';

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

  it('a running clock keeps the real clock’s pace from its start, and can be advanced or set', () => {
    const real = createSimulatedClock(new Date('2030-05-05T00:00:00Z'));
    const clock = createRunningClock(new Date('2026-11-30T18:46:00Z'), real);
    expect(clock.now().toISOString()).to.equal('2026-11-30T18:46:00.000Z');
    real.advance(90_000);
    expect(clock.now().toISOString()).to.equal('2026-11-30T18:47:30.000Z');
    clock.advance(HOUR_MS);
    real.advance(1_000);
    expect(clock.now().toISOString()).to.equal('2026-11-30T19:47:31.000Z');
    clock.set(new Date('2027-01-01T00:00:00Z'));
    real.advance(500);
    expect(clock.now().toISOString()).to.equal('2027-01-01T00:00:00.500Z');
    expect(() => clock.advance(Number.NaN)).to.throw(RangeError);
    expect(() => clock.set(new Date('nope'))).to.throw(RangeError);
    expect(() => createRunningClock(new Date('nope'))).to.throw(RangeError);
  });

  it('the system clock tracks real time', () => {
    const before = Date.now();
    const t = systemClock.now().getTime();
    expect(t).to.be.within(before, Date.now());
  });
});

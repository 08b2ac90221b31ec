// The clock abstraction. Domain code never reads the wall clock itself: it receives a Clock (or `now`), so
// tests and the demo server can drive time over simulated weeks and holidays.

export interface Clock {
  now(): Date;
}

/** The real wall clock, for production wiring only. */
export const systemClock: Clock = {
  now: () => new Date(),
};

export interface SimulatedClock extends Clock {
  /** Moves time forward (or backward with a negative value) by `ms` milliseconds. */
  advance(ms: number): void;
  /** Jumps to an absolute instant. */
  set(d: Date): void;
}

/** A clock that only moves when told to; `now()` returns a fresh Date each call so callers cannot mutate it. */
export function createSimulatedClock(start: Date): SimulatedClock {
  let current = start.getTime();
  if (Number.isNaN(current)) throw new RangeError('createSimulatedClock: invalid start date');
  return {
    now: () => new Date(current),
    advance(ms: number) {
      if (!Number.isFinite(ms)) throw new RangeError('advance: ms must be a finite number');
      current += ms;
    },
    set(d: Date) {
      const t = d.getTime();
      if (Number.isNaN(t)) throw new RangeError('set: invalid date');
      current = t;
    },
  };
}

/**
 * A clock that runs at the pace of `real` from `start` (an app started "as of" an instant of a data set, so the
 * sweep and the KPI watermark move as they would live); `advance` and `set` shift it like a simulated clock.
 */
export function createRunningClock(start: Date, real: Clock = systemClock): SimulatedClock {
  const moved = createSimulatedClock(start); // where it stood at `since`, on the real clock
  let since = real.now().getTime();
  return {
    now: () => new Date(moved.now().getTime() + real.now().getTime() - since),
    advance: (ms: number) => moved.advance(ms),
    set(d: Date) {
      moved.set(d);
      since = real.now().getTime();
    },
  };
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

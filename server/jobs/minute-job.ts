// A background job run by node-cron for the life of the process (every minute by default) and on demand
// (`runNow`, e.g. at start-up): one pass at a time (a tick or call during a pass shares it), a failed pass is
// logged and retried at the next tick, a pass the job says is worth following (`again`) is followed at once,
// and `stop` aborts the pass's signal and waits for it: a long pass (the first KPI build at a million issues)
// checks the signal between its steps, so a shutdown waits for one step.
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../logger.ts';

export interface MinuteJob<R> {
  start(): void;
  stop(): Promise<void>;
  runNow(): Promise<R | null>;
}

export function createMinuteJob<R>(opts: {
  name: string;
  logger: Logger;
  /** One pass; `signal` is aborted when the job stops (a pass may end early, leaving the rest to the next). */
  run: (signal: AbortSignal) => Promise<R>;
  /** Logs a pass worth mentioning. */
  onReport?: (report: R) => void;
  /** Runs the next pass at once, not at the next tick, when this says so (e.g. after a long pass). */
  again?: (report: R) => boolean;
  expression?: string;
}): MinuteJob<R> {
  let task: ScheduledTask | undefined;
  let running: Promise<R | null> | null = null;
  let stopped = false;
  const stopping = new AbortController();

  const runNow = () => {
    if (stopped) return Promise.resolve(null);
    running ??= opts
      .run(stopping.signal)
      .then((report) => {
        opts.onReport?.(report);
        return report;
      })
      .catch((err: unknown) => {
        opts.logger.error({ err }, `${opts.name} failed; the next pass retries`);
        return null;
      })
      .finally(() => {
        running = null;
      });
    void running.then((report) => {
      if (report !== null && opts.again?.(report)) setImmediate(() => void runNow());
    });
    return running;
  };

  return {
    start() {
      if (task || stopped) return;
      task = cron.schedule(opts.expression ?? '* * * * *', () => void runNow(), {
        name: opts.name,
        noOverlap: true,
      });
    },
    async stop() {
      stopped = true;
      stopping.abort();
      await task?.stop();
      await task?.destroy();
      task = undefined;
      await running;
    },
    runNow,
  };
}

// A background job run by node-cron for the life of the process (every minute by default) and on demand
// (`runNow`, e.g. at start-up): one pass at a time (a tick or call during a pass shares it), a failed pass is
// logged and retried at the next tick, and `stop` waits for the pass in flight.
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
  run: () => Promise<R>;
  /** Logs a pass worth mentioning. */
  onReport?: (report: R) => void;
  expression?: string;
}): MinuteJob<R> {
  let task: ScheduledTask | undefined;
  let running: Promise<R | null> | null = null;
  let stopped = false;

  const runNow = () => {
    if (stopped) return Promise.resolve(null);
    running ??= opts
      .run()
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
      await task?.stop();
      await task?.destroy();
      task = undefined;
      await running;
    },
    runNow,
  };
}

// Runs the escalation sweep every minute (node-cron) for the life of the server process. Within a process
// passes never overlap: a tick that finds one running is skipped. Across processes nothing is coordinated
// here on purpose: each firing is claimed in the database, so two servers sweeping at once fire each step
// once. `runNow` lets the demo clock sweep right after it moves, so a demo user sees the lights change.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import { databaseSettings } from '../commands/issue-deps.ts';
import { runEscalationSweep, type EscalationSweepOptions, type SweepReport } from './escalation-sweep.job.ts';

export const EVERY_MINUTE = '* * * * *';

export interface SweepSchedulerOptions extends Omit<EscalationSweepOptions, 'owner'> {
  /** Cron expression (default every minute). */
  expression?: string;
}

export interface SweepScheduler {
  start(): void;
  /** Stops the timer, ends a pass in flight after its current batches and waits for them. */
  stop(): Promise<void>;
  /** Sweeps now, after any pass in flight (which may have read an earlier time); null once stopped. */
  runNow(): Promise<SweepReport | null>;
}

export function createSweepScheduler(options: SweepSchedulerOptions): SweepScheduler {
  const { expression = EVERY_MINUTE, logger } = options;
  // One sweeper name per process: its claims survive a retry within a pass and are recognisable in the ledger.
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  // One settings loader for the process, so the calendar is rebuilt only when admins change overrides.
  const settings = options.settings ?? databaseSettings(options.models);
  let task: ScheduledTask | undefined;
  let inFlight: Promise<SweepReport | null> | null = null;
  let queued: Promise<SweepReport | null> | null = null;
  let stopped = false;
  // Aborted by stop: the pass in flight starts no further batch (a catch-up at a million issues runs minutes).
  const stopping = new AbortController();

  async function pass(): Promise<SweepReport | null> {
    try {
      const report = await runEscalationSweep({ ...options, settings, owner, signal: stopping.signal });
      if (report.fired.length || report.deferred || report.repaired || report.failed) {
        logger.info(
          {
            fired: report.fired.length,
            examined: report.examined,
            deferred: report.deferred,
            repaired: report.repaired,
            failed: report.failed,
          },
          'escalation sweep',
        );
      }
      return report;
    } catch (err) {
      logger.error({ err }, 'escalation sweep failed; the next pass retries');
      return null;
    }
  }

  function launch(): Promise<SweepReport | null> {
    const p = pass().finally(() => {
      if (inFlight === p) inFlight = null;
    });
    inFlight = p;
    return p;
  }

  function tick(): void {
    if (stopped) return;
    if (inFlight) {
      logger.debug('escalation sweep still running; tick skipped');
      return;
    }
    void launch();
  }

  return {
    start() {
      if (task || stopped) return;
      task = cron.schedule(expression, tick, { name: 'escalation-sweep', noOverlap: true });
    },
    async stop() {
      stopped = true;
      stopping.abort();
      await task?.stop();
      await task?.destroy();
      task = undefined;
      await Promise.all([inFlight, queued]);
    },
    runNow() {
      if (stopped) return Promise.resolve(null);
      if (!inFlight) return launch();
      queued ??= inFlight.then(() => {
        queued = null;
        return stopped ? null : launch();
      });
      return queued;
    },
  };
}

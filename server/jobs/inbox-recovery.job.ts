// Recovery of the raw inbox: an entry still `accepted` some time after it arrived was interrupted (the process
// crashed or was killed between acceptance and the record of its outcome). This job processes it again, at
// start-up and then every minute. Re-processing is idempotent: the issue id was allocated at acceptance (an
// issue that already exists is only recorded) and a repeat is added to its master only once, so two processes
// recovering the same entry, or an entry that was merely slow, create nothing twice.
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../logger.ts';
import type { InboxEntryDoc } from '../models/inbox.model.ts';
import { reprocessEntry, type PipelineDeps } from '../intake/pipeline.ts';

/** An entry younger than this may still be in flight in some process. */
export const RECOVERY_GRACE_MS = 30_000;
const BATCH = 200;

export interface RecoveryReport {
  examined: number;
  processed: number;
  failed: number;
}

export async function recoverInbox(
  deps: PipelineDeps,
  { graceMs = RECOVERY_GRACE_MS, limit = BATCH }: { graceMs?: number; limit?: number } = {},
): Promise<RecoveryReport> {
  const cutoff = new Date(deps.clock.now().getTime() - graceMs);
  const stale = await deps.models.InboxEntry.collection
    .find<InboxEntryDoc>(
      { status: 'accepted', acceptedAt: { $lte: cutoff } },
      { sort: { acceptedAt: 1 }, limit },
    )
    .toArray();
  const report: RecoveryReport = { examined: stale.length, processed: 0, failed: 0 };
  for (const entry of stale) {
    try {
      const { ack } = await reprocessEntry(deps, entry);
      if (ack.status === 'failed') report.failed += 1;
      else report.processed += 1;
    } catch {
      report.failed += 1; // staff-origin failures are recorded on the entry by the pipeline
    }
  }
  await deps.inbox.flush();
  return report;
}

export interface InboxRecoveryScheduler {
  start(): void;
  stop(): Promise<void>;
  runNow(): Promise<RecoveryReport | null>;
}

export function createInboxRecoveryScheduler(
  deps: PipelineDeps,
  logger: Logger,
  expression = '* * * * *',
): InboxRecoveryScheduler {
  let task: ScheduledTask | undefined;
  let running: Promise<RecoveryReport | null> | null = null;
  let stopped = false;

  const runNow = () => {
    if (stopped) return Promise.resolve(null);
    running ??= recoverInbox(deps)
      .then((report) => {
        if (report.examined) logger.info(report, 'inbox recovery');
        return report;
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'inbox recovery failed; the next pass retries');
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
      task = cron.schedule(expression, () => void runNow(), { name: 'inbox-recovery', noOverlap: true });
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

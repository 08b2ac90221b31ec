// Recovery of the raw inbox: an entry still `accepted` some time after it arrived was interrupted (the process
// crashed or was killed between acceptance and the record of its outcome). This job processes it again, at
// start-up and then every minute. Re-processing is idempotent: the issue id was allocated at acceptance (an
// issue that already exists is only recorded) and a repeat is added to its master only once, so two processes
// recovering the same entry, or an entry that was merely slow, create nothing twice.
import type { Logger } from '../logger.ts';
import { createMinuteJob, type MinuteJob } from './minute-job.ts';
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

export type InboxRecoveryScheduler = MinuteJob<RecoveryReport>;

export function createInboxRecoveryScheduler(
  deps: PipelineDeps,
  logger: Logger,
  expression = '* * * * *',
): InboxRecoveryScheduler {
  return createMinuteJob({
    name: 'inbox recovery',
    logger,
    expression,
    run: () => recoverInbox(deps),
    onReport: (report) => {
      if (report.examined) logger.info(report, 'inbox recovery');
    },
  });
}

// Retention of the delivery log and the in-app notices: without it both grow for ever (at 1,000,000 issues
// one catch-up sweep wrote 282,000 outbox rows and as many notices, half a gigabyte the embedded server
// holds in memory). Hourly, in small batches so no command holds the database long:
// - outbox rows delivered (`sent`) created more than OUTBOX_SENT_DAYS ago, and rows given up (`dead`) more
//   than OUTBOX_DEAD_DAYS ago (an admin had that long to retry them). The timeline, not the outbox,
//   is the record of what happened; the outbox's unique key only has to outlive a retried write (seconds).
// - in-app notices read and older than NOTICE_READ_DAYS, and any notice older than NOTICE_ANY_DAYS.
// Time is the app's clock (the demo clock in demo mode), like every other deadline.
import type { Collection, Document, Filter } from 'mongodb';
import type { Clock } from '../../shared/clock.ts';
import { DAY_MS } from '../../shared/clock.ts';
import type { Logger } from '../logger.ts';
import type { Models } from '../models/index.ts';
import { createMinuteJob, type MinuteJob } from './minute-job.ts';

export const OUTBOX_SENT_DAYS = 90;
export const OUTBOX_DEAD_DAYS = 365;
export const NOTICE_READ_DAYS = 90;
export const NOTICE_ANY_DAYS = 365;
/** Rows deleted per command. */
export const RETENTION_BATCH = 1_000;

export interface RetentionReport {
  outboxSent: number;
  outboxDead: number;
  notices: number;
  /** The pass was stopped part-way (shutdown); the next one goes on. */
  stopped?: true;
}

/** Deletes what `filter` matches, RETENTION_BATCH at a time (one read of ids, one delete by id). */
async function purge(coll: Collection, filter: Filter<Document>, signal?: AbortSignal): Promise<number> {
  let deleted = 0;
  while (!signal?.aborted) {
    const ids = await coll
      .find(filter, { projection: { _id: 1 }, limit: RETENTION_BATCH })
      .map((d) => d._id)
      .toArray();
    if (ids.length === 0) break;
    deleted += (await coll.deleteMany({ _id: { $in: ids } })).deletedCount;
    if (ids.length < RETENTION_BATCH) break;
  }
  return deleted;
}

export async function applyRetention(
  models: Models,
  now: Date,
  signal?: AbortSignal,
): Promise<RetentionReport> {
  const before = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const outbox = models.Outbox.collection as unknown as Collection;
  const notices = models.Notification.collection as unknown as Collection;
  const report: RetentionReport = {
    outboxSent: await purge(outbox, { status: 'sent', createdAt: { $lt: before(OUTBOX_SENT_DAYS) } }, signal),
    outboxDead: await purge(outbox, { status: 'dead', createdAt: { $lt: before(OUTBOX_DEAD_DAYS) } }, signal),
    notices: 0,
  };
  // Per staff member, on the (userId, createdAt) index the notice list already uses: staff are few.
  const users = await models.User.collection.find({}, { projection: { _id: 1 } }).toArray();
  for (const { _id: userId } of users) {
    if (signal?.aborted) break;
    report.notices += await purge(notices, { userId, createdAt: { $lt: before(NOTICE_ANY_DAYS) } }, signal);
    report.notices += await purge(
      notices,
      { userId, createdAt: { $lt: before(NOTICE_READ_DAYS) }, readAt: { $ne: null } },
      signal,
    );
  }
  return signal?.aborted ? { ...report, stopped: true } : report;
}

export type RetentionScheduler = MinuteJob<RetentionReport>;

/** Hourly (at minute 23, away from the clustering job's slot), in every process: deletes are idempotent. */
export function createRetentionScheduler(opts: {
  models: Models;
  clock: Clock;
  logger: Logger;
  expression?: string;
}): RetentionScheduler {
  return createMinuteJob({
    name: 'retention',
    logger: opts.logger,
    expression: opts.expression ?? '23 * * * *',
    run: (signal) => applyRetention(opts.models, opts.clock.now(), signal),
    onReport: (r) => {
      if (r.outboxSent || r.outboxDead || r.notices) opts.logger.info(r, 'retention: old rows deleted');
    },
  });
}

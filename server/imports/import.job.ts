// Runs one import job in the background: stream the file, turning each row into an inbound message for the
// intake sink, while a second streaming pass beside it counts the data rows (so the progress gets a total).
// Rows go in batches of BATCH at once to the sink's batch intake (intake-batch.ts: the batch's reads shared,
// not made per row). After each batch the job records its progress and its checkpoint (`resumeRow`: every row
// up to it is settled and counted), so a page polls GET /api/imports/:id, and a job interrupted by a crash
// resumes from its checkpoint when a process starts (resumeImportJobs) or notices it has stopped beating.
// Each row's outcome (its issue number, or why it failed) is kept in memory and pushed with the checkpoint.
// Running rows again is harmless: every row carries its external id, so rows already filed come back as
// duplicates, and the rows this same job filed just before the crash are counted as what they became.
import mongoose, { Types, type Connection } from 'mongoose';
import type { Readable } from 'node:stream';
import type { BatchIntakeSink } from '../intake/intake-sink.ts';
import { createBatchMemory, type BatchMemory } from '../intake/intake-batch.ts';
import { isAppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Models } from '../models/index.ts';
import {
  MAX_IMPORT_ERRORS,
  MAX_IMPORT_ROWS,
  type ImportJobDoc,
  type ImportRowError,
  type ImportRowOutcome,
} from '../models/import-job.model.ts';
import type { InboundMessage, IntakeAck } from '../channels/types.ts';
import { columnMapOf, rowToMessage, type ColumnMap } from './import.columns.ts';
import { readRows, type ImportFormat, type SheetRow } from './import.reader.ts';

export const IMPORT_BUCKET = 'imports';
/** Rows handed to the pipeline together (and the interval of progress and checkpoints). */
const BATCH = 200;
/** A running job whose heartbeat is older than this was interrupted; another process may take it over. */
export const IMPORT_STALE_MS = 60_000;

export interface ImportDeps {
  conn: Connection;
  models: Models;
  /** The intake sink; its `batch`, when it has one, takes a batch's rows at once. */
  sink: BatchIntakeSink;
  logger: Logger;
  now: () => Date;
  /** Stops the job after its current batch (shutdown, tests): it is left to resume from its checkpoint. */
  signal?: AbortSignal;
}

export function importBucket(conn: Connection) {
  if (!conn.db) throw new Error('importBucket: the connection is not open');
  return new mongoose.mongo.GridFSBucket(conn.db, { bucketName: IMPORT_BUCKET });
}

const open = (deps: ImportDeps, fileId: Types.ObjectId): Readable =>
  importBucket(deps.conn).openDownloadStream(fileId);

async function countRows(deps: ImportDeps, job: ImportJobDoc): Promise<number> {
  let rows = 0;
  for await (const r of readRows(open(deps, job.fileId), job.format as ImportFormat))
    if (r.row > 1) rows += 1;
  return rows;
}

type Tally = Pick<ImportJobDoc, 'done' | 'created' | 'merged' | 'duplicates' | 'failed'>;

/** One row for the pipeline, or a row refused before it (counted as failed with its reason). */
type Row = { row: number; message: InboundMessage } | { row: number; error: string };

/** Running jobs whose runner stopped: released at shutdown (no heartbeat), or silent for `staleMs`. */
function interrupted(now: Date, staleMs: number) {
  return [
    { status: 'running', heartbeatAt: null },
    { status: 'running', heartbeatAt: { $lt: new Date(now.getTime() - staleMs) } },
  ];
}

/** Which running job this process may take: its own queued one, or one whose runner stopped beating. */
function claimable(jobId: Types.ObjectId, now: Date, staleMs: number) {
  return {
    _id: jobId,
    $or: [{ status: 'queued' }, ...interrupted(now, staleMs)],
  };
}

export async function runImportJob(
  deps: ImportDeps,
  jobId: Types.ObjectId,
  { staleMs = IMPORT_STALE_MS }: { staleMs?: number } = {},
): Promise<void> {
  const jobs = deps.models.ImportJob.collection;
  const runner = new Types.ObjectId();
  const startedAt = deps.now();
  const job = (await jobs.findOneAndUpdate(
    claimable(jobId, startedAt, staleMs),
    { $set: { status: 'running', runner, heartbeatAt: startedAt } },
    { returnDocument: 'after' },
  )) as ImportJobDoc | null;
  if (!job) return; // another process runs it
  const mine = { _id: jobId, runner };
  const fail = (failure: string) =>
    jobs.updateOne(mine, { $set: { status: 'failed', failure, finishedAt: deps.now() } });
  try {
    // The total (for the percent) comes from a second reader running beside the import, not before it.
    let counted: Promise<unknown> | undefined;
    if (job.total == null) {
      await jobs.updateOne(mine, { $set: { startedAt } });
      counted = countRows(deps, job).then(
        (total) => jobs.updateOne(mine, { $set: { total } }),
        () => undefined, // an unreadable file fails the import's own pass
      );
    }
    const progress = trackProgress(deps, job, mine);
    const from = job.resumeRow ?? 0;
    // After an interruption, rows past the checkpoint may have been filed by this very job already.
    let resumed = from > 0 || job.done > 0;
    const memory = createBatchMemory();
    const runBatch = async (batch: Row[]) => {
      const credential = `import:${String(jobId)}`;
      const acks = await intake(deps, credential, batch, memory);
      const own = resumed ? await filedByThisJob(deps, credential, acks) : new Map<string, string>();
      batch.forEach((r, i) => {
        const ack = acks[i];
        if ('error' in r) return progress.failed(r.row, r.error);
        if (!ack || ack.status === 'failed') return progress.failed(r.row, ack?.reason ?? '处理失败');
        progress.filed(r.row, own.get(ack.inboxId) ?? ack.status, ack.number);
      });
      // The crash point lies within the first batch after the checkpoint; past it, a duplicate is one.
      resumed = false;
    };

    let columns: ColumnMap | undefined;
    let batch: Row[] = [];
    let lastRow = from;
    for await (const r of readRows(open(deps, job.fileId), job.format as ImportFormat)) {
      if (!columns) {
        if ('error' in r) return void (await fail(`第${r.row}行（表头）无法读取：${r.error}`));
        const mapped = columnMapOf(r.cells);
        if ('error' in mapped) return void (await fail(mapped.error));
        columns = mapped.columns;
        continue;
      }
      if (r.row <= from) continue; // settled before the interruption
      lastRow = r.row;
      batch.push(rowOf(job, columns, r));
      if (batch.length >= BATCH) {
        await runBatch(batch);
        batch = [];
        if (!(await progress.checkpoint(lastRow))) return; // taken over: the other process finishes it
        if (deps.signal?.aborted) return void (await jobs.updateOne(mine, { $set: { heartbeatAt: null } }));
      }
    }
    if (!columns) return void (await fail('文件中没有数据（缺少表头）'));
    await runBatch(batch);
    if (!(await progress.checkpoint(lastRow))) return;
    await counted;
    await jobs.updateOne(mine, { $set: { status: 'done', finishedAt: deps.now() } });
  } catch (err) {
    deps.logger.warn({ err, jobId: String(jobId) }, 'import job failed');
    // A workbook past the reader's limits says which; anything else is an unreadable file.
    if (isAppError(err)) return void (await fail(err.message));
    await fail(
      job.format === 'xlsx' ? '无法读取该 XLSX 文件（文件损坏或不是 Excel 工作簿）' : '无法读取该 CSV 文件',
    );
  }
}

/** A data row read from the file as the pipeline takes it, or refused with its reason. */
function rowOf(job: ImportJobDoc, columns: ColumnMap, r: SheetRow): Row {
  if ('error' in r) return { row: r.row, error: r.error };
  const result = rowToMessage(job.channel, columns, r.cells);
  return 'error' in result ? { row: r.row, error: result.error } : { row: r.row, message: result.message };
}

/**
 * A job's progress, carried on from its document: the tally, each row's outcome and the first errors (up to
 * their caps), pushed with the checkpoint after each batch.
 */
function trackProgress(
  deps: ImportDeps,
  job: ImportJobDoc,
  mine: { _id: Types.ObjectId; runner: Types.ObjectId },
) {
  const tally: Tally = {
    done: job.done,
    created: job.created,
    merged: job.merged,
    duplicates: job.duplicates,
    failed: job.failed,
  };
  let errorsKept = job.errors.length;
  let pendingErrors: ImportRowError[] = [];
  let rowsKept = job.rows?.length ?? 0;
  let pendingRows: ImportRowOutcome[] = [];
  const outcome = (r: ImportRowOutcome) => {
    if (rowsKept >= MAX_IMPORT_ROWS) return;
    rowsKept += 1;
    pendingRows.push(r);
  };
  return {
    /** Records the progress up to `row`; false when another process has taken the job over. */
    async checkpoint(row: number): Promise<boolean> {
      const update: Record<string, unknown> = {
        $set: { ...tally, resumeRow: row, heartbeatAt: deps.now() },
      };
      const push: Record<string, unknown> = {};
      if (pendingErrors.length) push.errors = { $each: pendingErrors, $slice: MAX_IMPORT_ERRORS };
      if (pendingRows.length) push.rows = { $each: pendingRows, $slice: MAX_IMPORT_ROWS };
      if (pendingErrors.length || pendingRows.length) update.$push = push;
      pendingErrors = [];
      pendingRows = [];
      const r = await deps.models.ImportJob.collection.updateOne(
        mine,
        update as mongoose.mongo.UpdateFilter<mongoose.mongo.Document>,
      );
      return r.matchedCount === 1;
    },
    failed(row: number, message: string) {
      tally.failed += 1;
      tally.done += 1;
      outcome({ row, status: 'failed', reason: message });
      if (errorsKept < MAX_IMPORT_ERRORS) {
        errorsKept += 1;
        pendingErrors.push({ row, message });
      }
    },
    filed(row: number, status: string, number: string | undefined) {
      tally.done += 1;
      if (status === 'merged') tally.merged += 1;
      else if (status === 'duplicate') tally.duplicates += 1;
      else tally.created += 1;
      // A queued row (filed later by the inbox recovery) is counted as created, still without its number.
      const as = status === 'merged' || status === 'duplicate' ? status : 'created';
      outcome(number ? { row, status: as, number } : { row, status: as });
    },
  };
}

const SYSTEM_ERROR: IntakeAck = { inboxId: '', status: 'failed', reason: '系统错误，请稍后重新导入该行' };

/**
 * The batch's valid rows through the pipeline, all at once when the sink takes batches (one answer per row of
 * `batch`, null for a row refused before it); a row or batch that throws is a failed row, retried by importing
 * it again.
 */
async function intake(
  deps: ImportDeps,
  credential: string,
  batch: readonly Row[],
  memory: BatchMemory,
): Promise<(IntakeAck | null)[]> {
  const filed = batch.filter((r): r is Extract<Row, { message: unknown }> => 'message' in r);
  const { batch: many } = deps.sink;
  const answers = many
    ? await many(
        filed.map((r) => r.message),
        credential,
        memory,
      ).catch((err: unknown) => {
        deps.logger.warn({ err, rows: filed.length }, 'import batch failed');
        return filed.map(() => SYSTEM_ERROR);
      })
    : await Promise.all(
        filed.map((r) =>
          deps.sink(r.message, credential).catch((err: unknown): IntakeAck => {
            deps.logger.warn({ err, row: r.row }, 'import row failed');
            return SYSTEM_ERROR;
          }),
        ),
      );
  let k = 0;
  return batch.map((r) => ('message' in r ? answers[k++] : null));
}

/**
 * The rows of a resumed batch that this job filed before its interruption come back as duplicates (or still
 * queued): what each actually became, by its inbox entry, in one read.
 */
async function filedByThisJob(
  deps: ImportDeps,
  credential: string,
  acks: readonly (IntakeAck | null)[],
): Promise<Map<string, string>> {
  const ids = acks
    .filter((a): a is IntakeAck => !!a && (a.status === 'duplicate' || a.status === 'queued'))
    .map((a) => a.inboxId)
    .filter((id) => Types.ObjectId.isValid(id));
  if (!ids.length) return new Map();
  // Only a processed entry says what it became; one the interruption left accepted is answered `queued`
  // and filed by the inbox recovery (counted as created, like any queued row).
  const entries = await deps.models.InboxEntry.collection
    .find(
      {
        _id: { $in: ids.map((id) => new Types.ObjectId(id)) },
        credentialId: credential,
        status: 'processed',
      },
      { projection: { outcome: 1 } },
    )
    .toArray();
  return new Map(entries.map((e) => [String(e._id), e.outcome === 'merged' ? 'merged' : 'created']));
}

/**
 * Runs the import jobs that are queued or whose runner stopped (a crash, a kill): at start-up and then every
 * `intervalMs`, so a job accepted but interrupted continues from its checkpoint.
 */
export function createImportResumer(
  deps: ImportDeps,
  { intervalMs = IMPORT_STALE_MS / 2, staleMs = IMPORT_STALE_MS } = {},
) {
  let timer: NodeJS.Timeout | undefined;
  const running = new Set<Promise<void>>();
  const stopping = new AbortController();
  const jobDeps = { ...deps, signal: stopping.signal };
  const runNow = async () => {
    const now = deps.now();
    const due = await deps.models.ImportJob.collection
      .find(
        {
          $or: [{ status: 'queued' }, ...interrupted(now, staleMs)],
        },
        { projection: { _id: 1 } },
      )
      .toArray();
    await Promise.all(
      due.map((j) => {
        const p = runImportJob(jobDeps, j._id, { staleMs })
          .catch((err: unknown) => deps.logger.error({ err }, 'import job crashed'))
          .finally(() => running.delete(p));
        running.add(p);
        return p;
      }),
    );
  };
  const tick = () =>
    void runNow().catch((err: unknown) => deps.logger.error({ err }, 'import resume failed'));
  return {
    runNow,
    start() {
      tick();
      timer ??= setInterval(tick, intervalMs).unref();
    },
    /** Stops resuming; the jobs it runs stop after their current batch, released for the next start. */
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      stopping.abort();
      await Promise.all([...running]);
    },
  };
}

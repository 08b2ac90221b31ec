// Runs one import job in the background: count the file's data rows (a first streaming pass, so the progress
// has a total), then stream it again, turning each row into an inbound message for the intake sink, a few in
// flight at a time. Progress is written to the job every PROGRESS_EVERY rows (and at the end), so a page polls
// GET /api/imports/:id. Running a job twice is harmless: every row carries its external id, so rows already
// filed come back as duplicates.
import mongoose, { type Connection, type Types } from 'mongoose';
import type { Readable } from 'node:stream';
import type { IntakeSink } from '../channels/types.ts';
import type { Logger } from '../logger.ts';
import type { Models } from '../models/index.ts';
import { MAX_IMPORT_ERRORS, type ImportJobDoc, type ImportRowError } from '../models/import-job.model.ts';
import { columnMapOf, rowToMessage, type ColumnMap } from './import.columns.ts';
import { readRows, type ImportFormat } from './import.reader.ts';

export const IMPORT_BUCKET = 'imports';
const PROGRESS_EVERY = 250;
// Enough rows at once for the pipeline's coalescers to share their commands (one inbox insert, one number
// reservation, one issue insert and one outbox insert for many rows).
const IN_FLIGHT = 64;

export interface ImportDeps {
  conn: Connection;
  models: Models;
  sink: IntakeSink;
  logger: Logger;
  now: () => Date;
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

type Tally = Pick<ImportJobDoc, 'done' | 'created' | 'merged' | 'duplicates' | 'failed'> & {
  errors: ImportRowError[];
};

export async function runImportJob(deps: ImportDeps, jobId: Types.ObjectId): Promise<void> {
  const jobs = deps.models.ImportJob.collection;
  const job = (await jobs.findOneAndUpdate(
    { _id: jobId, status: 'queued' },
    { $set: { status: 'running', startedAt: deps.now() } },
    { returnDocument: 'after' },
  )) as ImportJobDoc | null;
  if (!job) return; // another process took it
  const fail = (failure: string) =>
    jobs.updateOne({ _id: jobId }, { $set: { status: 'failed', failure, finishedAt: deps.now() } });
  try {
    await jobs.updateOne({ _id: jobId }, { $set: { total: await countRows(deps, job) } });
    const tally: Tally = { done: 0, created: 0, merged: 0, duplicates: 0, failed: 0, errors: [] };
    let pendingErrors: ImportRowError[] = [];
    let flushedAt = 0;
    const flush = async () => {
      const { done, created, merged, duplicates, failed } = tally;
      const update: Record<string, unknown> = { $set: { done, created, merged, duplicates, failed } };
      if (pendingErrors.length)
        update.$push = { errors: { $each: pendingErrors, $slice: MAX_IMPORT_ERRORS } };
      pendingErrors = [];
      flushedAt = done;
      await jobs.updateOne({ _id: jobId }, update as mongoose.mongo.UpdateFilter<mongoose.mongo.Document>);
    };
    const rowFailed = (row: number, message: string) => {
      tally.failed += 1;
      tally.done += 1;
      if (tally.errors.length < MAX_IMPORT_ERRORS) {
        tally.errors.push({ row, message });
        pendingErrors.push({ row, message });
      }
    };

    let columns: ColumnMap | undefined;
    const inFlight = new Set<Promise<void>>();
    for await (const r of readRows(open(deps, job.fileId), job.format as ImportFormat)) {
      if (!columns) {
        if ('error' in r) return void (await fail(`第${r.row}行（表头）无法读取：${r.error}`));
        const mapped = columnMapOf(r.cells);
        if ('error' in mapped) return void (await fail(mapped.error));
        columns = mapped.columns;
        continue;
      }
      if ('error' in r) {
        rowFailed(r.row, r.error);
        continue;
      }
      const result = rowToMessage(job.channel, columns, r.cells);
      if ('error' in result) {
        rowFailed(r.row, result.error);
        continue;
      }
      const row = r.row;
      const task = deps
        .sink(result.message, `import:${String(jobId)}`)
        .then((ack) => {
          if (ack.status === 'failed') return rowFailed(row, ack.reason ?? '处理失败');
          tally.done += 1;
          if (ack.status === 'merged') tally.merged += 1;
          else if (ack.status === 'duplicate') tally.duplicates += 1;
          else tally.created += 1;
        })
        .catch((err: unknown) => {
          deps.logger.warn({ err, row }, 'import row failed');
          rowFailed(row, '系统错误，请稍后重新导入该行');
        })
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
      if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
      if (tally.done - flushedAt >= PROGRESS_EVERY) await flush();
    }
    await Promise.all(inFlight);
    if (!columns) return void (await fail('文件中没有数据（缺少表头）'));
    await flush();
    await jobs.updateOne({ _id: jobId }, { $set: { status: 'done', finishedAt: deps.now() } });
  } catch (err) {
    deps.logger.warn({ err, jobId: String(jobId) }, 'import job failed');
    await fail(
      job.format === 'xlsx' ? '无法读取该 XLSX 文件（文件损坏或不是 Excel 工作簿）' : '无法读取该 CSV 文件',
    );
  }
}

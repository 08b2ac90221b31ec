// A batch import of meeting, visit or deputy records (CSV/XLSX): the uploaded file is kept in GridFS (bucket
// `imports`), and this document is the job's progress, persisted while it runs so any page (or any server
// process) can poll it, and its checkpoint, so an interrupted job resumes where it stopped (imports/import.job.ts).
// Row errors keep the first MAX_IMPORT_ERRORS and row outcomes (which row became which issue number) the first
// MAX_IMPORT_ROWS; the counts keep counting.
import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { Clock } from '../../shared/clock.ts';
import { maxChars } from './max-chars.ts';

export const MAX_IMPORT_ERRORS = 500;
export const MAX_IMPORT_ROWS = 10_000;
export const IMPORT_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

export interface ImportRowError {
  row: number;
  message: string;
}

/** What one data row became: the issue it was filed as or merged into (or already was), or why it failed. */
export interface ImportRowOutcome {
  row: number;
  status: 'created' | 'merged' | 'duplicate' | 'failed';
  number?: string;
  reason?: string;
}

export interface ImportJobDoc {
  _id: Types.ObjectId;
  channel: 'meeting' | 'visit' | 'deputy';
  filename: string;
  format: 'csv' | 'xlsx';
  fileId: Types.ObjectId;
  size: number;
  status: ImportStatus;
  /** Data rows in the file (null until counted). */
  total: number | null;
  done: number;
  created: number;
  merged: number;
  duplicates: number;
  failed: number;
  errors: ImportRowError[];
  /** The first MAX_IMPORT_ROWS rows' outcomes, in file order (absent on jobs from before it was kept). */
  rows?: ImportRowOutcome[];
  /** Why the whole job failed (an unreadable file), when it did. */
  failure: string | null;
  createdBy: Types.ObjectId;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Every data row up to this row number is settled and counted (the checkpoint a resume starts after). */
  resumeRow: number;
  /** The process running it (a fresh id per run); progress writes only match their own runner. */
  runner: Types.ObjectId | null;
  /** Written with every checkpoint: a running job that stopped beating was interrupted. */
  heartbeatAt: Date | null;
}

export type ImportJobModel = Model<ImportJobDoc>;

export function defineImportJobModel(conn: Connection, clock: Clock): ImportJobModel {
  const schema = new Schema<ImportJobDoc>(
    {
      channel: { type: String, required: true, enum: ['meeting', 'visit', 'deputy'] },
      filename: { type: String, required: true, validate: maxChars(200) },
      format: { type: String, required: true, enum: ['csv', 'xlsx'] },
      fileId: { type: Schema.Types.ObjectId, required: true },
      size: { type: Number, required: true },
      status: { type: String, required: true, enum: IMPORT_STATUSES, default: 'queued' },
      total: { type: Number, default: null },
      done: { type: Number, default: 0 },
      created: { type: Number, default: 0 },
      merged: { type: Number, default: 0 },
      duplicates: { type: Number, default: 0 },
      failed: { type: Number, default: 0 },
      errors: { type: [{ _id: false, row: Number, message: String }], default: [] },
      rows: {
        type: [{ _id: false, row: Number, status: String, number: String, reason: String }],
        default: [],
      },
      failure: { type: String, default: null },
      createdBy: { type: Schema.Types.ObjectId, required: true },
      createdAt: { type: Date, required: true, default: () => clock.now() },
      startedAt: { type: Date, default: null },
      finishedAt: { type: Date, default: null },
      resumeRow: { type: Number, default: 0 },
      runner: { type: Schema.Types.ObjectId, default: null },
      heartbeatAt: { type: Date, default: null },
    },
    { collection: 'import_jobs', suppressReservedKeysWarning: true },
  );
  schema.index({ createdAt: -1 });
  schema.index({ status: 1 });
  return conn.model<ImportJobDoc>('ImportJob', schema);
}

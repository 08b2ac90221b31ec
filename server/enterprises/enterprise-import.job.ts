// Enterprise import: registers or corrects the enterprises of a CSV/XLSX list, idempotent by credit code (a
// row for a known code updates its fields, so importing the same file twice changes nothing the second time),
// each row validated like the registration form, with per-row errors and progress. Jobs live in the process
// that runs them and are forgotten an hour after they end.
import { randomBytes } from 'node:crypto';
import type { Types } from 'mongoose';
import { z } from 'zod';
import type { Actor } from '../../shared/roles.ts';
import { badRequest, isAppError, notFound } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { EnterpriseImportStatus } from '../../shared/enterprise-import.ts';
import type { Models } from '../models/index.ts';
import { mobileChangedNotice } from '../notify/owner-security.notice.ts';
import type { Notifier } from '../notify/notifier.ts';
import { systemClock, type Clock } from '../../shared/clock.ts';
import {
  endOwnerSessionsOnNewMobile,
  forgetEmail,
  OWNER_ENDS,
  unsetBoth,
  isEmailTaken,
  registeredEmailUpdate,
} from '../routes/enterprises/enterprise.commands.ts';
import { createEnterpriseSchema } from '../routes/enterprises/enterprises.schema.ts';
import { townshipInAddress } from '../../config/units.ts';
import { registration } from '../routes/enterprises/provisional.commands.ts';
import { ImportFileError, parseEnterpriseFile, type NumberedRow } from './enterprise-import.parse.ts';
import { townshipOfRow } from './enterprise-township.ts';
import { isDuplicateKey } from '../db/duplicate-key.ts';
import { normalizeCreditCode } from '../../shared/credit-code.ts';

export const MAX_IMPORT_ROWS = 20_000;
export const MAX_REPORTED_ERRORS = 500;
const RETENTION_MS = 60 * 60 * 1000;

/** An import in this process: the status the screen reads, and who started it (only they and admins read it). */
export interface ImportJob extends EnterpriseImportStatus {
  ownerId: string;
}

export type EnterpriseImports = ReturnType<typeof createEnterpriseImports>;

function firstIssue(err: z.ZodError): string {
  const issue = err.issues[0];
  return issue ? issue.message : '数据有误';
}

type RowFields = Record<string, unknown>;

/** A known (or new) enterprise's row: its fields, the registered email replaced, a new mobile ending sessions. */
function correctedFromRow(known: Record<string, unknown> | null, rest: RowFields, email: string | undefined) {
  const { update } = registeredEmailUpdate(known?.email as string | undefined, email);
  const ends: Partial<typeof OWNER_ENDS> = known
    ? endOwnerSessionsOnNewMobile(known.mobile, rest.mobile)
    : {};
  return {
    ...update,
    ...ends,
    $set: { ...rest, ...update.$set },
    ...unsetBoth('$unset' in update ? update.$unset : undefined, ends.$unset),
  };
}

/** A provisional enterprise registered from the row: the row's mobile and email only, a new code. */
function registeredFromRow(rest: RowFields, email: string | undefined, now: Date) {
  const registered = registration(now);
  return {
    ...registered,
    $set: { ...rest, ...registered.$set, ...(email ? { email, emails: [email] } : {}) },
    $unset: {
      ...registered.$unset,
      wechatOpenids: 1,
      // The name the writer gave, unless the row names the owner.
      ...(rest.ownerName === undefined ? { ownerName: 1 } : {}),
      ...(email ? {} : { email: 1, emails: 1 }),
    },
  };
}

export function createEnterpriseImports(deps: {
  models: Models;
  logger: Logger;
  /** Tells a replaced registered mobile of the change (the form does the same). */
  notifier?: Pick<Notifier, 'enqueue'>;
  clock?: Clock;
}) {
  const jobs = new Map<string, ImportJob>();

  function fail(job: ImportJob, row: number, message: string): void {
    job.failed += 1;
    if (job.errors.length < MAX_REPORTED_ERRORS) job.errors.push({ row, message });
  }

  /**
   * `seen` maps each credit code of this file to its first row: a second row for the same code is refused, not
   * applied over the first (the file would otherwise flip the enterprise's fields on every import).
   */
  async function importRow(job: ImportJob, { line, row }: NumberedRow, seen: Map<string, number>) {
    // Read first, so a row that changes nothing writes nothing (and does not touch updatedAt), and so a known
    // enterprise's row may leave the mobile or email blank: the one on file stays (a list of corrections
    // rarely repeats every owner's number). An email replaces the registered one as a correction does.
    const code = typeof row.creditCode === 'string' ? normalizeCreditCode(row.creditCode) : '';
    const known = code
      ? await deps.models.Enterprise.findOne({ creditCode: code }).lean<Record<string, unknown>>()
      : null;
    // A provisional enterprise the register now names is registered by the row alone: its mobile and
    // addresses were whoever wrote in first (registration).
    const provisional = known?.provisional === true;
    const blankMobile = !(typeof row.mobile === 'string' && row.mobile.trim());
    const given = known && !provisional && blankMobile ? { ...row, mobile: known.mobile } : row;
    const parsed = createEnterpriseSchema.safeParse(given);
    if (!parsed.success) return fail(job, line, firstIssue(parsed.error));
    const { creditCode, township: column, ...fromRow } = parsed.data;
    // The row's 所在乡镇, checked against its county as the form's; left empty, the one the address names, and
    // one staff chose stays otherwise.
    let township: string | null;
    try {
      township = column
        ? await townshipOfRow(deps.models, fromRow.region, column)
        : townshipInAddress(fromRow.region, fromRow.address);
    } catch (err) {
      if (isAppError(err)) return fail(job, line, err.message);
      throw err;
    }
    const fields = township ? { ...fromRow, township } : fromRow;
    const first = seen.get(creditCode);
    if (first !== undefined) return fail(job, line, `与第${first}行的统一社会信用代码重复`);
    seen.set(creditCode, line);
    if (known && !provisional && Object.entries(fields).every(([k, v]) => known[k] === v)) {
      job.unchanged += 1;
      return;
    }
    const { email, ...rest } = fields;
    const now = (deps.clock ?? systemClock).now();
    const res = await deps.models.Enterprise.updateOne(
      { creditCode },
      provisional ? registeredFromRow(rest, email, now) : correctedFromRow(known, rest, email),
      { upsert: true, runValidators: true, setDefaultsOnInsert: true },
    );
    if (provisional) {
      job.updated += 1;
      return;
    }
    // The registered email a correction replaced comes off the enterprise's addresses.
    const { forget } = registeredEmailUpdate(known?.email as string | undefined, email);
    if (known) await forgetEmail(deps.models, known._id as Types.ObjectId, forget);
    const replaced = known?.mobile;
    if (deps.notifier && typeof replaced === 'string' && replaced && fields.mobile !== replaced)
      await deps.notifier.enqueue([mobileChangedNotice({ _id: known!._id }, replaced, fields.mobile, now)]);
    if (res.upsertedCount) job.created += 1;
    else if (res.modifiedCount) job.updated += 1;
    else job.unchanged += 1;
  }

  async function run(job: ImportJob, rows: NumberedRow[]): Promise<void> {
    const seen = new Map<string, number>();
    try {
      for (const r of rows) {
        try {
          await importRow(job, r, seen);
        } catch (err) {
          job.failed += 1;
          const duplicate = isDuplicateKey(err);
          if (!duplicate) deps.logger.warn({ err, job: job.id, row: r.line }, 'enterprise import row failed');
          const message = isEmailTaken(err)
            ? '该邮箱已登记在其他企业名下'
            : duplicate
              ? '该信用代码同时被另一行导入'
              : '保存失败';
          if (job.errors.length < MAX_REPORTED_ERRORS) job.errors.push({ row: r.line, message });
        }
        job.done += 1;
      }
      job.status = 'done';
    } catch (err) {
      job.status = 'failed';
      deps.logger.error({ err, job: job.id }, 'enterprise import failed');
    } finally {
      setTimeout(() => jobs.delete(job.id), RETENTION_MS).unref();
    }
  }

  return {
    async start(actor: Actor, fileName: string, bytes: Buffer) {
      let rows: NumberedRow[];
      try {
        rows = await parseEnterpriseFile(fileName, bytes);
      } catch (err) {
        if (err instanceof ImportFileError) throw badRequest(err.message, 'invalid_file');
        throw err;
      }
      if (rows.length === 0) throw badRequest('文件中没有数据行', 'invalid_file');
      if (rows.length > MAX_IMPORT_ROWS)
        throw badRequest(`一次最多导入${MAX_IMPORT_ROWS}行，请分批导入`, 'too_many_rows');
      const job: ImportJob = {
        id: randomBytes(12).toString('hex'),
        ownerId: actor.id,
        status: 'running',
        total: rows.length,
        done: 0,
        created: 0,
        updated: 0,
        unchanged: 0,
        failed: 0,
        errors: [],
      };
      jobs.set(job.id, job);
      void run(job, rows);
      return { id: job.id, total: job.total };
    },
    status(id: string, actor: Actor): EnterpriseImportStatus {
      const job = jobs.get(id);
      if (!job || (job.ownerId !== actor.id && actor.role !== 'admin'))
        throw notFound('导入任务不存在或已过期');
      const { ownerId: _owner, ...rest } = job;
      return { ...rest, errors: [...rest.errors] };
    },
  };
}

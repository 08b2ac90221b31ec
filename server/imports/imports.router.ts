// /api/imports: batch imports of meeting, visit and deputy records (DESIGN §10). The upload streams into
// GridFS while its first bytes are checked against what the name says (an .xlsx must be a zip, a .csv must be
// text), and an .xlsx's zip directory against the unpacked size the reader takes (import.unzip.ts); the job
// then runs in the background and GET /api/imports/:id reports its progress. Centre staff
// (clerk, dispatcher, director) and admins only. The job's answer says which row became which issue (`rows`,
// with each issue's id for a link); a page polling the progress leaves them out with `?rows=0`.
import { once } from 'node:events';
import { Router, type Request } from 'express';
import { Types } from 'mongoose';
import type { Role } from '../../shared/roles.ts';
import { AppError, badRequest, forbidden, isAppError, notFound } from '../errors.ts';
import type { AppContext } from '../http/app-context.ts';
import { readMultipart, type FilePart } from '../http/multipart.ts';
import { checkXlsxSize } from './import.unzip.ts';
import { actorOf } from '../http/request-context.ts';
import type { ImportJobDoc } from '../models/import-job.model.ts';
import { IMPORT_CHANNELS, type ImportChannel } from './import.columns.ts';
import { importBucket, runImportJob, type ImportDeps } from './import.job.ts';
import type { ImportFormat } from './import.reader.ts';
import { templateCsv, templateXlsx } from './import.template.ts';

export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;
const IMPORT_ROLES: readonly Role[] = ['clerk', 'dispatcher', 'director', 'admin'];
const OBJECT_ID = /^[0-9a-f]{24}$/i;

const errors = {
  unsupported: () => new AppError('unsupported_file', 415, '只支持 .csv 或 .xlsx 文件（请使用导入模板）'),
  mismatch: (format: ImportFormat) =>
    new AppError(
      'file_type_mismatch',
      415,
      format === 'xlsx'
        ? '文件内容不是 XLSX 工作簿，请用 Excel 另存为 .xlsx 后重试'
        : '文件内容不是文本 CSV（请另存为 UTF-8 或 GB18030 编码的 CSV）',
    ),
  channel: () =>
    badRequest('渠道无效：只能是 meeting（恳谈会）、visit（走访）或 deputy（建议提案）', 'invalid_channel'),
};

function formatOf(filename: string): ImportFormat {
  const ext = /\.([A-Za-z]+)$/.exec(filename)?.[1]?.toLowerCase();
  if (ext === 'csv') return 'csv';
  if (ext === 'xlsx') return 'xlsx';
  throw errors.unsupported();
}

/** The first bytes must be what the name says: a zip for .xlsx; text (no NUL, not a zip) for .csv. */
function checkHead(format: ImportFormat, head: Buffer): void {
  const zip = head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
  if (format === 'xlsx' ? !zip : zip || head.includes(0)) throw errors.mismatch(format);
}

function requireImporter(req: Request) {
  const actor = actorOf(req);
  if (!IMPORT_ROLES.includes(actor.role)) throw forbidden('只有服务中心工作人员和管理员可以批量导入');
  return actor;
}

/** The job as GET /api/imports/:id answers it; `issueIds` (by number) adds the links of its rows. */
export function presentImportJob(job: ImportJobDoc, issueIds?: ReadonlyMap<string, string>) {
  const total = job.total ?? null;
  return {
    id: String(job._id),
    channel: job.channel,
    filename: job.filename,
    status: job.status,
    total,
    done: job.done,
    percent: total ? Math.min(100, Math.floor((job.done / total) * 100)) : job.status === 'done' ? 100 : 0,
    created: job.created,
    merged: job.merged,
    duplicates: job.duplicates,
    failed: job.failed,
    errors: job.errors.map((e) => ({ row: e.row, message: e.message })),
    ...(job.rows && issueIds
      ? {
          rows: job.rows.map((r) => ({
            row: r.row,
            status: r.status,
            ...(r.number ? { number: r.number, issueId: issueIds.get(r.number) } : {}),
            ...(r.reason ? { reason: r.reason } : {}),
          })),
        }
      : {}),
    ...(job.failure ? { failure: job.failure } : {}),
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
  };
}

/** The ids of the issues the job's rows name, in one read. */
async function issueIdsOf(ctx: AppContext, job: ImportJobDoc): Promise<Map<string, string>> {
  const numbers = [...new Set((job.rows ?? []).flatMap((r) => (r.number ? [r.number] : [])))];
  if (!numbers.length) return new Map();
  const issues = await ctx.models.Issue.collection
    .find({ number: { $in: numbers } }, { projection: { number: 1 } })
    .toArray();
  return new Map(issues.map((i) => [String(i.number), String(i._id)]));
}

export function createImportsRouter(ctx: AppContext): Router {
  const router = Router();
  const deps: ImportDeps = {
    conn: ctx.conn,
    models: ctx.models,
    sink: ctx.intakeSink,
    logger: ctx.logger,
    now: () => ctx.clock.now(),
  };
  router.use(ctx.requireStaff);

  router.get('/template.csv', (_req, res) => {
    res.type('text/csv; charset=utf-8').attachment('import-template.csv').send(templateCsv());
  });
  router.get('/template.xlsx', async (_req, res) => {
    res
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .attachment('import-template.xlsx')
      .send(await templateXlsx());
  });

  router.post('/', async (req, res) => {
    const actor = requireImporter(req);
    const bucket = importBucket(ctx.conn);
    let stored: { fileId: Types.ObjectId; filename: string; format: ImportFormat; size: number } | undefined;
    const receive = async (part: FilePart) => {
      if (part.field !== 'file' || stored) throw badRequest('只能上传一个名为 file 的文件', 'file_required');
      const filename = part.filename.replace(/^.*[\\/]/, '').slice(0, 200) || 'import';
      const format = formatOf(filename);
      const upload = bucket.openUploadStream(filename, { metadata: { kind: 'import' } });
      stored = { fileId: upload.id as Types.ObjectId, filename, format, size: 0 };
      let first = true;
      let refused: unknown;
      const zip: Buffer[] = []; // an .xlsx, kept (within the upload cap) to read its zip directory
      // Read to the end even after a refusal: a file stream left unread would stall the whole form.
      for await (const chunk of part.stream as AsyncIterable<Buffer>) {
        if (refused) continue;
        try {
          if (first) checkHead(format, chunk);
          first = false;
          stored.size += chunk.length;
          if (format === 'xlsx') zip.push(chunk);
          if (!upload.write(chunk)) await once(upload, 'drain');
        } catch (err) {
          refused = err;
        }
      }
      refused ??= first ? badRequest('上传的文件是空的', 'empty_file') : undefined;
      // Only a bomb is refused here; a damaged workbook fails its job, which says why.
      if (!refused && format === 'xlsx')
        refused = await checkXlsxSize(Buffer.concat(zip)).then(
          () => undefined,
          (err: unknown) => (isAppError(err) && err.code === 'file_too_large' ? err : undefined),
        );
      if (refused) {
        await upload.abort().catch(() => undefined);
        stored = undefined;
        throw refused;
      }
      upload.end();
      await once(upload, 'finish');
    };
    let fields: Record<string, string>;
    try {
      fields = await readMultipart(req, { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 5 }, receive);
    } catch (err) {
      if (stored) await bucket.delete(stored.fileId).catch(() => undefined);
      throw err;
    }
    const channel = fields.channel as ImportChannel;
    if (!stored || !(IMPORT_CHANNELS as readonly string[]).includes(channel)) {
      if (stored) await bucket.delete(stored.fileId).catch(() => undefined);
      throw stored ? errors.channel() : badRequest('请选择要导入的文件', 'file_required');
    }
    const job = await ctx.models.ImportJob.create({
      channel,
      ...stored,
      createdBy: new Types.ObjectId(actor.id),
    });
    // The job runs after the answer; its progress is in the database, so any process can report it.
    setImmediate(() => {
      runImportJob(deps, job._id).catch((err: unknown) => ctx.logger.error({ err }, 'import job crashed'));
    });
    res.status(202).json({ id: String(job._id) });
  });

  router.get('/:id', async (req, res) => {
    requireImporter(req);
    const id = req.params.id;
    if (typeof id !== 'string' || !OBJECT_ID.test(id)) throw badRequest('导入任务编号格式无效', 'invalid_id');
    const withRows = req.query.rows !== '0';
    const job = (await ctx.models.ImportJob.collection.findOne(
      { _id: new Types.ObjectId(id) },
      withRows ? {} : { projection: { rows: 0 } },
    )) as ImportJobDoc | null;
    if (!job) throw notFound('导入任务不存在');
    res.json(presentImportJob(job, withRows ? await issueIdsOf(ctx, job) : undefined));
  });

  return router;
}

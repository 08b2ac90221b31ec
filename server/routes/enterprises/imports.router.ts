// Enterprise import: POST /api/enterprises/imports (multipart, field `file`: CSV or XLSX) → 202 {id, total};
// GET /api/enterprises/imports/:id → progress and per-row errors; GET /api/enterprises/imports/template.csv.
// Mounted ahead of the directory router, each route authenticating itself (see plaques.router.ts).
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { requirePolicy } from '../../auth/staff.middleware.ts';
import { createEnterpriseImports } from '../../enterprises/enterprise-import.job.ts';
import { TEMPLATE_HEADER } from '../../enterprises/enterprise-import.parse.ts';
import { badRequest, isAppError, notFound } from '../../errors.ts';
import { bufferOf, readMultipart } from '../../http/multipart.ts';
import type { AppContext } from '../../http/app-context.ts';
import { actorOf } from '../../http/request-context.ts';
import { canManageEnterpriseCodes } from '../../policies/index.ts';

export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

/**
 * The uploaded file of a multipart request (field `file`), read into memory (bounded by MAX_IMPORT_BYTES)
 * through the shared multipart reader; a request that is not a readable form is answered as a missing file.
 */
async function readUpload(req: Request): Promise<{ name: string; bytes: Buffer }> {
  let found: { name: string; bytes: Buffer } | undefined;
  const limits = { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 10 };
  try {
    await readMultipart(req, limits, async (part) => {
      if (part.field !== 'file') return void part.stream.resume();
      found = { name: part.filename, bytes: await bufferOf(part.stream) };
    });
  } catch (err) {
    if (isAppError(err) && err.code === 'multipart_required')
      throw badRequest('请以 multipart/form-data 上传文件', 'invalid_file');
    if (isAppError(err) && err.code === 'invalid_multipart')
      throw badRequest('上传的文件不完整', 'invalid_file');
    throw err;
  }
  if (!found) throw badRequest('请选择要导入的文件（字段名 file）', 'invalid_file');
  return found;
}

export function createEnterpriseImportsRouter(ctx: AppContext): Router {
  const router = Router();
  const imports = createEnterpriseImports({
    models: ctx.models,
    logger: ctx.logger,
    notifier: ctx.notify?.notifier,
    clock: ctx.clock,
  });
  const manage: RequestHandler[] = [ctx.requireStaff, requirePolicy(canManageEnterpriseCodes)];

  router.get('/imports/template.csv', ...manage, (_req: Request, res: Response) => {
    res.attachment('企业导入模板.csv').type('text/csv; charset=utf-8');
    res.send(`\uFEFF${TEMPLATE_HEADER.join(',')}\r\n`);
  });
  router.post('/imports', ...manage, async (req: Request, res: Response) => {
    const { name, bytes } = await readUpload(req);
    res.status(202).json(await imports.start(actorOf(req), name, bytes));
  });
  router.get('/imports/:id', ...manage, (req: Request, res: Response) => {
    const id = req.params.id;
    if (typeof id !== 'string' || !/^[0-9a-f]{24}$/.test(id)) throw notFound('导入任务不存在或已过期');
    res.json(imports.status(id, actorOf(req)));
  });
  return router;
}

// Enterprise import: POST /api/enterprises/imports (multipart, field `file`: CSV or XLSX) → 202 {id, total};
// GET /api/enterprises/imports/:id → progress and per-row errors; GET /api/enterprises/imports/template.csv.
// Mounted ahead of the directory router, each route authenticating itself (see plaques.router.ts).
import busboy from 'busboy';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { requirePolicy } from '../../auth/staff.middleware.ts';
import { createEnterpriseImports } from '../../enterprises/enterprise-import.job.ts';
import { TEMPLATE_HEADER } from '../../enterprises/enterprise-import.parse.ts';
import { AppError, badRequest, notFound } from '../../errors.ts';
import type { AppContext } from '../../http/app-context.ts';
import { actorOf } from '../../http/request-context.ts';
import { canManageEnterpriseCodes } from '../../policies/index.ts';

export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

/** The uploaded file of a multipart request, read into memory (bounded by MAX_IMPORT_BYTES). */
function readUpload(req: Request): Promise<{ name: string; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { files: 1, fileSize: MAX_IMPORT_BYTES, fields: 10 } });
    } catch {
      reject(badRequest('请以 multipart/form-data 上传文件', 'invalid_file'));
      return;
    }
    let found: { name: string; bytes: Buffer } | undefined;
    let tooLarge = false;
    bb.on('file', (field, stream, info) => {
      if (field !== 'file') {
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => (tooLarge = true));
      stream.on('end', () => (found = { name: info.filename ?? '', bytes: Buffer.concat(chunks) }));
    });
    bb.on('error', () => reject(badRequest('上传的文件不完整', 'invalid_file')));
    bb.on('close', () => {
      if (tooLarge) reject(new AppError('file_too_large', 413, '文件不能超过5MB'));
      else if (!found) reject(badRequest('请选择要导入的文件（字段名 file）', 'invalid_file'));
      else resolve(found);
    });
    req.pipe(bb);
  });
}

export function createEnterpriseImportsRouter(ctx: AppContext): Router {
  const router = Router();
  const imports = createEnterpriseImports({ models: ctx.models, logger: ctx.logger });
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

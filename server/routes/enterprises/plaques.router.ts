// Enterprise-code plaques: one enterprise's plaque as a printable A5 page or PDF, and batch exports of many as
// one PDF (start, progress, download, cancel). Mounted ahead of the directory router so `/plaques` is not
// taken for an enterprise id.
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { requirePolicy } from '../../auth/staff.middleware.ts';
import { notFound } from '../../errors.ts';
import type { AppContext } from '../../http/app-context.ts';
import { actorOf } from '../../http/request-context.ts';
import { objectIdSchema, pathId } from '../../http/validate.ts';
import type { EnterpriseDoc } from '../../models/index.ts';
import { PLAQUE_FIELDS, plaqueContentOf } from '../../plaques/plaque-content.ts';
import { createPlaqueExports } from '../../plaques/plaque-export.jobs.ts';
import { renderPlaqueHtml } from '../../plaques/plaque.html.ts';
import { writePlaquesPdf } from '../../plaques/plaque.pdf.ts';
import { canManageEnterpriseCodes, canViewEnterpriseQr, canViewEnterprises } from '../../policies/index.ts';

const exportSchema = z
  .object({
    region: z.string().trim().min(1).max(40).optional(),
    unitId: objectIdSchema.optional(),
    q: z.string().trim().min(1).max(100).optional(),
  })
  .strict();

const jobId = (value: unknown) => {
  if (typeof value !== 'string' || !/^[0-9a-f]{24}$/.test(value)) throw notFound('导出任务不存在或已过期');
  return value;
};

export function createPlaquesRouter(ctx: AppContext): Router {
  const router = Router();
  const exports = createPlaqueExports({
    models: ctx.models,
    publicBaseUrl: ctx.config.publicBaseUrl,
    logger: ctx.logger,
  });
  // Per route, not router.use: this router sits in front of the directory's, whose requests must not pay for
  // a second authentication.
  const staff: RequestHandler[] = [ctx.requireStaff, requirePolicy(canViewEnterprises)];
  const manage: RequestHandler[] = [...staff, requirePolicy(canManageEnterpriseCodes)];
  router.post('/plaques', manage, async (req: Request, res: Response) => {
    res.status(202).json(await exports.start(actorOf(req), exportSchema.parse(req.body ?? {})));
  });
  router.get('/plaques/:id', manage, (req: Request, res: Response) => {
    res.json(exports.status(jobId(req.params.id), actorOf(req)));
  });
  router.get('/plaques/:id/file', manage, (req: Request, res: Response, next: NextFunction) => {
    const file = exports.file(jobId(req.params.id), actorOf(req));
    res.download(file, '企业码牌.pdf', (err?: Error) => err && !res.headersSent && next(err));
  });
  router.delete('/plaques/:id', manage, (req: Request, res: Response) => {
    exports.cancel(jobId(req.params.id), actorOf(req));
    res.status(204).end();
  });

  const load = async (id: unknown) => {
    const e = await ctx.models.Enterprise.findById(
      pathId(id, '企业不存在'),
      PLAQUE_FIELDS,
    ).lean<EnterpriseDoc>();
    if (!e) throw notFound('企业不存在');
    return plaqueContentOf(e, ctx.config.publicBaseUrl);
  };
  const viewQr: RequestHandler[] = [...staff, requirePolicy(canViewEnterpriseQr)];
  router.get('/:id/plaque', viewQr, async (req: Request, res: Response) => {
    const html = await renderPlaqueHtml(await load(req.params.id));
    res.type('html').send(html);
  });
  router.get('/:id/plaque.pdf', viewQr, async (req: Request, res: Response) => {
    const plaque = await load(req.params.id);
    res.type('application/pdf');
    res.attachment(`企业码牌-${plaque.creditCode}.pdf`);
    await writePlaquesPdf([plaque], res);
  });
  return router;
}

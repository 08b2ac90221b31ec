// GET /api/workbench: the caller's to-do queue counts (and a unit head's load per person). The queues' issues
// are listed by GET /api/issues?queue=<id>.
import { Router } from 'express';
import { requirePolicy } from '../../auth/staff.middleware.ts';
import type { AppContext } from '../../http/app-context.ts';
import { actorOf } from '../../http/request-context.ts';
import { canUseWorkbench } from '../../policies/index.ts';
import { workbenchOf, type WorkbenchDeps } from '../../workbench/workbench.query.ts';

export function createWorkbenchRouter(
  ctx: AppContext,
  options: Pick<WorkbenchDeps, 'deadLetterCount'> = {},
): Router {
  const router = Router();
  router.use(ctx.requireStaff, requirePolicy(canUseWorkbench));
  router.get('/', async (req, res) => {
    res.json(await workbenchOf({ models: ctx.models, ...options }, actorOf(req)));
  });
  return router;
}

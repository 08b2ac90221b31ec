// GET /api/workbench: the caller's to-do queue counts (and a unit head's load per person). The queues' issues
// are listed by GET /api/issues?queue=<id>.
import { Router } from 'express';
import { requirePolicy } from '../../auth/staff.middleware.ts';
import type { AppContext } from '../../http/app-context.ts';
import { actorOf } from '../../http/request-context.ts';
import { canUseWorkbench } from '../../policies/index.ts';
import { workbenchOf } from '../../workbench/workbench.query.ts';

export function createWorkbenchRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(ctx.requireStaff, requirePolicy(canUseWorkbench));
  router.get('/', async (req, res) => {
    res.json(await workbenchOf({ models: ctx.models }, actorOf(req)));
  });
  return router;
}

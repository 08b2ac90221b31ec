// Staff account administration (admin only): GET /api/users?unitId=&role=, POST /api/users,
// PATCH /api/users/:id (name, password, role, unit, disabled).
import { Router } from 'express';
import { requirePolicy } from '../../auth/staff.middleware.ts';
import { createUserCommand, updateUserCommand } from '../../auth/user-admin.command.ts';
import type { AppContext } from '../../http/app-context.ts';
import { actorOf } from '../../http/request-context.ts';
import { pathId } from '../../http/validate.ts';
import { canManageUsers } from '../../policies/index.ts';
import { presentUser } from '../../presenters/user.presenter.ts';
import { createUserSchema, listUsersQuery, updateUserSchema } from './users.schema.ts';

export function createUsersRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(ctx.requireStaff, requirePolicy(canManageUsers));

  router.get('/', async (req, res) => {
    const q = listUsersQuery.parse(req.query);
    const filter: Record<string, unknown> = {};
    if (q.unitId) filter.unitId = q.unitId;
    if (q.role) filter.role = q.role;
    const users = await ctx.models.User.find(filter).sort({ username: 1 }).limit(5000).lean();
    res.json({ items: users.map(presentUser) });
  });

  router.post('/', async (req, res) => {
    const input = createUserSchema.parse(req.body);
    const user = await createUserCommand(ctx.models, input);
    res.status(201).json(presentUser(user));
  });

  router.patch('/:id', async (req, res) => {
    const id = pathId(req.params.id, '用户不存在');
    const input = updateUserSchema.parse(req.body);
    const user = await updateUserCommand(ctx.models, actorOf(req), id, input);
    ctx.onSessionsChanged?.(id);
    res.json(presentUser(user));
  });

  return router;
}

// Staff identity endpoints: POST /api/auth/login (rate-limited), POST /api/auth/logout, GET /api/me.
// Login limits are counted in the database (every process shares them): failed attempts per client address
// and per address + account here, attempts per account wherever they come from in the login command.
import { Router, type Request } from 'express';
import { loginCommand, logoutCommand } from '../../auth/login.command.ts';
import { createLoginThrottle } from '../../auth/login-throttle.ts';
import { clientKey } from '../../rate-limit/limiters.ts';
import { tooMany } from '../../errors.ts';
import type { AppContext } from '../../http/app-context.ts';
import { actorOf } from '../../http/request-context.ts';
import { notFound } from '../../errors.ts';
import { presentUser } from '../../presenters/user.presenter.ts';
import { loginSchema } from './auth.schema.ts';

function usernameOf(req: Request): string {
  const raw: unknown = (req.body as { username?: unknown } | undefined)?.username;
  return typeof raw === 'string' ? raw.trim().toLowerCase().slice(0, 64) : '';
}

export function createAuthRouter(ctx: AppContext): Router {
  const router = Router();
  const limits = ctx.loginLimits;
  const limited = (name: string, key: (req: Request) => string, limit: number) =>
    ctx.limits.limiter({
      name,
      windowMs: limits.windowMs,
      limit,
      // Only failed attempts count, so staff who log in correctly are never locked out by their address.
      onlyFailures: true,
      key,
      handler: (_req, _res, next) => next(tooMany('登录尝试过于频繁，请15分钟后再试')),
    });
  // Per address + account against guessing one account; a looser per-address cap against spraying many.
  const perUser = limited(
    'login-ip-account',
    (req) => `${clientKey(req)}|${usernameOf(req)}`,
    limits.perIpAccount,
  );
  const perIp = limited('login-ip', clientKey, limits.perIp);
  const throttle = createLoginThrottle(ctx.limits.counters, limits);

  router.post('/auth/login', perIp, perUser, async (req, res) => {
    const input = loginSchema.parse(req.body);
    const { token, user } = await loginCommand({ ...ctx, throttle }, input);
    res.json({ token, user: presentUser(user) });
  });

  router.post('/auth/logout', ctx.requireStaff, async (req, res) => {
    await logoutCommand(ctx, actorOf(req));
    ctx.onSessionsChanged?.(actorOf(req).id);
    res.status(204).end();
  });

  router.get('/me', ctx.requireStaff, async (req, res) => {
    const user = await ctx.models.User.findById(actorOf(req).id).lean();
    if (!user) throw notFound();
    res.json({ user: presentUser(user) });
  });

  return router;
}

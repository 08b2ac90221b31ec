// Staff identity endpoints: POST /api/auth/login (rate-limited), POST /api/auth/logout, GET /api/me.
import { Router, type Request } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { loginCommand, logoutCommand } from '../../auth/login.command.ts';
import { clearRefreshCookie, refreshCookieOf, setRefreshCookie } from '../../auth/refresh-cookie.ts';
import { authenticateStaffToken } from '../../auth/staff.middleware.ts';
import { tooMany, unauthorized } from '../../errors.ts';
import type { AppContext } from '../../http/app-context.ts';
import { actorOf } from '../../http/request-context.ts';
import { notFound } from '../../errors.ts';
import { presentUser } from '../../presenters/user.presenter.ts';
import { loginSchema } from './auth.schema.ts';

const WINDOW_MS = 15 * 60 * 1000;

function usernameOf(req: Request): string {
  const raw: unknown = (req.body as { username?: unknown } | undefined)?.username;
  return typeof raw === 'string' ? raw.trim().toLowerCase().slice(0, 64) : '';
}

export function createAuthRouter(ctx: AppContext): Router {
  const router = Router();
  const limited = (key: (req: Request) => string, limit: number) =>
    rateLimit({
      windowMs: WINDOW_MS,
      limit,
      // Only failed attempts count, so staff who log in correctly are never locked out.
      skipSuccessfulRequests: true,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator: key,
      handler: (_req, _res, next) => next(tooMany('登录尝试过于频繁，请15分钟后再试')),
    });
  const ip = (req: Request) => ipKeyGenerator(req.ip ?? '');
  // Per IP+username against guessing one account; a looser per-IP cap against spraying many accounts.
  const perUser = limited((req) => `${ip(req)}|${usernameOf(req)}`, 10);
  const perIp = limited(ip, 100);
  const refreshLimit = limited(ip, 300);
  const secure = ctx.config.publicBaseUrl.startsWith('https:');

  router.post('/auth/login', perIp, perUser, async (req, res) => {
    const input = loginSchema.parse(req.body);
    const { token, user } = await loginCommand(ctx, input);
    setRefreshCookie(res, ctx.refreshTokens.sign(String(user._id), user.tokenVersion), secure);
    res.json({ token, user: presentUser(user) });
  });

  // A new tab or a reload: the refresh cookie buys a fresh bearer token while the session is not revoked.
  router.post('/auth/refresh', refreshLimit, async (req, res) => {
    const actor = await authenticateStaffToken(ctx.models, ctx.refreshTokens, refreshCookieOf(req));
    const user = actor && (await ctx.models.User.findById(actor.id).lean());
    if (!user) {
      clearRefreshCookie(res, secure);
      throw unauthorized('登录已失效，请重新登录', 'invalid_refresh');
    }
    setRefreshCookie(res, ctx.refreshTokens.sign(String(user._id), user.tokenVersion), secure);
    res.json({ token: ctx.tokens.sign(String(user._id), user.tokenVersion), user: presentUser(user) });
  });

  router.post('/auth/logout', ctx.requireStaff, async (req, res) => {
    await logoutCommand(ctx, actorOf(req));
    clearRefreshCookie(res, secure);
    res.status(204).end();
  });

  router.get('/me', ctx.requireStaff, async (req, res) => {
    const user = await ctx.models.User.findById(actorOf(req).id).lean();
    if (!user) throw notFound();
    res.json({ user: presentUser(user) });
  });

  return router;
}

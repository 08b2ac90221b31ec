// Staff identity endpoints: POST /api/auth/login (rate-limited), POST /api/auth/logout, GET /api/me.
// Login limits are counted in the database (every process shares them): failed attempts per client address
// and per address + account here, attempts per account wherever they come from in the login command (per
// device for a browser the account has logged in from before, device-cookie.ts).
import { Router, type Request } from 'express';
import { loginCommand, logoutCommand } from '../../auth/login.command.ts';
import { createLoginThrottle } from '../../auth/login-throttle.ts';
import { setDeviceCookie } from '../../auth/device-cookie.ts';
import { clientKey } from '../../rate-limit/limiters.ts';
import {
  clearRefreshCookie,
  REFRESH_LIFETIME_MS,
  refreshCookieOf,
  setRefreshCookie,
} from '../../auth/refresh-cookie.ts';
import { openSessionCommand, rotateSessionCommand } from '../../auth/staff-session.command.ts';
import { authenticateStaffToken } from '../../auth/staff.middleware.ts';
import { tooMany, unauthorized } from '../../errors.ts';
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
  const refreshLimit = limited('refresh-ip', clientKey, limits.perIp);
  const secure = ctx.config.publicBaseUrl.startsWith('https:');

  router.post('/auth/login', perIp, perUser, async (req, res) => {
    const input = loginSchema.parse(req.body);
    const { token, user, device } = await loginCommand({ ...ctx, throttle }, input, (username) =>
      ctx.devices.deviceOf(req, username),
    );
    const session = await openSessionCommand(
      ctx.models,
      user._id,
      ctx.securityClock.now(),
      REFRESH_LIFETIME_MS,
    );
    setRefreshCookie(res, ctx.refreshTokens.sign(String(user._id), user.tokenVersion, session), secure);
    if (!device) setDeviceCookie(res, ctx.devices.issue(user.username), secure);
    res.json({ token, user: presentUser(user) });
  });

  // A new tab or a reload: the refresh cookie buys a fresh bearer token and the next cookie while the session
  // is not revoked; a cookie already traded ends its session.
  router.post('/auth/refresh', refreshLimit, async (req, res) => {
    const cookie = refreshCookieOf(req);
    const claims = cookie === undefined ? undefined : ctx.refreshTokens.verify(cookie);
    const actor = claims && (await authenticateStaffToken(ctx.models, ctx.refreshTokens, cookie));
    const user = actor ? await ctx.models.User.findById(actor.id).lean() : null;
    const now = ctx.securityClock.now();
    const outcome =
      user && (await rotateSessionCommand(ctx.models, user._id, claims!, now, REFRESH_LIFETIME_MS));
    if (outcome?.kind === 'reused')
      ctx.logger.warn(
        { userId: actor!.id },
        'a refresh cookie came back after it was traded: its session is ended',
      );
    if (!user || outcome?.kind !== 'live') {
      clearRefreshCookie(res, secure);
      throw unauthorized('登录已失效，请重新登录', 'invalid_refresh');
    }
    setRefreshCookie(
      res,
      ctx.refreshTokens.sign(String(user._id), user.tokenVersion, outcome.session),
      secure,
    );
    res.json({ token: ctx.tokens.sign(String(user._id), user.tokenVersion), user: presentUser(user) });
  });

  router.post('/auth/logout', ctx.requireStaff, async (req, res) => {
    await logoutCommand(ctx, actorOf(req));
    ctx.onSessionsChanged?.(actorOf(req).id);
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

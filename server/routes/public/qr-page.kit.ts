// What every route of the QR page shares (index.ts builds it once per router and hands it to each module): the
// page's locals resolved from the printed token, the guards in front of the owner's and the guest's POSTs, and
// the one way a page is written. One kit per router, so every module reads sessions and known browsers under
// the same keys and applies the same limits.
import type { RequestHandler, Response } from 'express';
import type { Clock } from '../../../shared/clock.ts';
import { cachedSettings, type IssueChangeListener } from '../../commands/issue-deps.ts';
import type { AppContext } from '../../http/app-context.ts';
import type { RepeatCheckInput } from '../../intake/repeat.ts';
import type { SmsSender } from '../../notify/sms.ts';
import type { QrLiveHub } from '../../realtime/qr-live.ts';
import { mergedCodePage, messagePage, notFoundPage } from './layout.view.ts';
import { createKnownBrowsers } from './qr-known-browser.ts';
import { findEnterpriseByToken, isMergedToken, type QrEnterprise } from './qr-page.query.ts';
import { DEFAULT_QR_LIMITS, type QrPageLimits } from './qr-page.security.ts';
import { createQrSessions, pagePath, type OwnerSession, type SessionOwner } from './qr-session.ts';

export interface QrPageOptions {
  sms: SmsSender;
  /** Session and code expiry (the real clock in production, like staff sessions). */
  securityClock: Clock;
  limits?: Partial<QrPageLimits>;
  onChange?: IssueChangeListener;
  /** Live summary rooms per enterprise (the page updates in place with JavaScript on). */
  live?: QrLiveHub;
}

interface PageLocals {
  enterprise: QrEnterprise;
  token: string;
  base: string;
  session: OwnerSession | null;
  /** This browser's id when it has verified as the owner before (for this code and session version). */
  knownBrowser: string | undefined;
}

export const page = (res: Response): PageLocals => res.locals.qr as PageLocals;

/** An issue's or a file's id as the page's links carry it. */
export const OBJECT_ID = /^[0-9a-f]{24}$/i;

/**
 * Writes the page straight to the response. Express's send would hash every page for an ETag and check it
 * against the request, for nothing: each page is `no-store`.
 */
export function send(res: Response, status: number, body: string): void {
  const bytes = Buffer.from(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Length', bytes.length);
  res.end(bytes);
}

export function sessionOwner(enterprise: QrEnterprise, qrToken: string): SessionOwner {
  return {
    enterpriseId: String(enterprise._id),
    qrToken,
    sessionVersion: enterprise.ownerSessionVersion ?? 0,
  };
}

export function forbiddenCsrf(res: Response, base: string) {
  send(res, 403, messagePage('页面已过期', '页面已过期，请返回后重试。', base));
}

export type QrPageKit = ReturnType<typeof createQrPageKit>;

export function createQrPageKit(ctx: AppContext, opts: QrPageOptions) {
  const secret = ctx.config.jwtSecret ?? '';
  const https = ctx.config.publicBaseUrl.startsWith('https:');
  const sessions = createQrSessions(secret, opts.securityClock, https);
  const knownBrowsers = createKnownBrowsers(secret, https);
  const qrLimits = { ...DEFAULT_QR_LIMITS, ...opts.limits };
  const issueDeps = {
    models: ctx.models,
    clock: ctx.clock,
    settings: cachedSettings(ctx.intakeConfig),
    intakeConfig: () => ctx.intakeConfig.get(),
    classify: (text: string) => ctx.classifier.classify(text),
    // An owner's repeat of one of its open issues is flagged for the clerk with the text core's verdict.
    checkRepeat: (input: RepeatCheckInput) => ctx.classifier.checkRepeat(input),
    onChange: opts.onChange,
    attachments: ctx.attachments,
  };

  /** Resolves the printed token; an unknown or rotated one gets the same 404 page, whatever the path. */
  const withEnterprise: RequestHandler = async (req, res, next) => {
    const token = String(req.params.token);
    const enterprise = await findEnterpriseByToken(ctx.models, token);
    if (!enterprise)
      return (await isMergedToken(ctx.models, token))
        ? send(res, 410, mergedCodePage())
        : send(res, 404, notFoundPage());
    const owner = sessionOwner(enterprise, token);
    // A provisional enterprise has no owner to verify (provisionalPage): no session opens its owner view.
    const session = enterprise.provisional ? null : sessions.read(req, owner);
    const knownBrowser = knownBrowsers.idOf(req, owner);
    res.locals.qr = { enterprise, token, base: pagePath(token), session, knownBrowser } satisfies PageLocals;
    next();
  };

  /** POSTs of a verified owner: a live session for this enterprise (a multipart form checks its token). */
  const ownerSession: RequestHandler = (_req, res, next) => {
    const { session, base } = page(res);
    if (!session)
      return send(
        res,
        403,
        messagePage(
          '请先验证身份',
          '验证已过期（验证后30分钟内有效）或尚未验证。请重新验证后再操作，本次未提交的内容需重新填写。',
          `${base}/verify`,
          '重新验证',
        ),
      );
    next();
  };

  /** ...and the session's CSRF token in the (urlencoded) form. */
  const sessionCsrf: RequestHandler = (req, res, next) => {
    const { session, base } = page(res);
    if (!sessions.checkCsrf(req, session!.csrf)) return forbiddenCsrf(res, base);
    next();
  };
  const ownerPost: RequestHandler[] = [ownerSession, sessionCsrf];

  /** POSTs before verification: the pre-session double-submit token. */
  const guestPost: RequestHandler = (req, res, next) => {
    const { base } = page(res);
    if (!sessions.checkCsrf(req, sessions.preCookie(req))) return forbiddenCsrf(res, base);
    next();
  };

  return {
    ctx,
    opts,
    sessions,
    knownBrowsers,
    qrLimits,
    issueDeps,
    withEnterprise,
    ownerSession,
    sessionCsrf,
    ownerPost,
    guestPost,
  };
}

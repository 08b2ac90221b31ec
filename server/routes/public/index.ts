// The enterprise's QR page, `/e/:token` (DESIGN §7, §10): server-rendered HTML that works without JavaScript.
// Anyone holding the printed code sees the summary; the owner verifies (SMS code or PIN) for a 30-minute
// session scoped to this one enterprise and token, then reads the details, raises issues and rates. The
// browser that verified is remembered as the owner's (qr-known-browser.ts), so the limits strangers run into
// never refuse it. Routes stay thin: parse the form, call one command, render through the public presenters;
// every POST answers with a redirect to a GET (post-redirect-get), or with its form again, the error beside
// it and what was typed kept. A new issue may carry photos and PDFs (multipart, qr-upload.ts): they go through
// intake like an email's files, and a refused file never costs the issue.
//
// This file mounts the page's parts in order: the reads (qr-pages.routes.ts), verification
// (qr-verification.routes.ts), the notification choice (qr-preference.routes.ts) and the owner's writes
// (qr-submission.routes.ts), all over one kit of guards (qr-page.kit.ts); then the page's own 404 and errors.
import express, { Router, type Request, type RequestHandler } from 'express';
import { isAppError } from '../../errors.ts';
import { bodyGuard } from '../../http/body-guard.middleware.ts';
import type { AppContext } from '../../http/app-context.ts';
import { messagePage, notFoundPage } from './layout.view.ts';
import { createQrPageKit, page, send, type QrPageOptions } from './qr-page.kit.ts';
import { qrPageRoutes } from './qr-pages.routes.ts';
import { qrPreferenceRoutes } from './qr-preference.routes.ts';
import { pageHeaders } from './qr-page.security.ts';
import { pagePath } from './qr-session.ts';
import { qrSubmissionRoutes } from './qr-submission.routes.ts';
import { qrVerificationRoutes } from './qr-verification.routes.ts';

/**
 * A request with a body, as body-parser tells one: the page's forms are parsed and checked, and a scan (a GET
 * without one) skips both.
 */
const hasBody = (req: Request) =>
  req.headers['transfer-encoding'] !== undefined || req.headers['content-length'] !== undefined;

/** `securityHeaders` is the app-wide helmet(): the router is mounted ahead of it and sets its headers itself. */
export function createQrPageRouter(
  ctx: AppContext,
  opts: QrPageOptions,
  securityHeaders: RequestHandler,
): Router {
  const router = Router();
  const kit = createQrPageKit(ctx, opts);
  const setHeaders = pageHeaders(securityHeaders);
  const form = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 20 });

  // One middleware, not three: each matched layer costs a scan the router's bookkeeping.
  router.use((req, res, next) => {
    setHeaders(res);
    if (!hasBody(req)) return next();
    form(req, res, (err?: unknown) => (err ? next(err) : bodyGuard(req, res, next)));
  });

  qrPageRoutes(router, kit);
  qrVerificationRoutes(router, kit);
  qrPreferenceRoutes(router, kit);
  qrSubmissionRoutes(router, kit);

  // A mistyped address under a valid code: the code is fine, the page is not (the holder sees the code's page
  // anyway, so saying so tells nothing).
  router.all('/:token/{*rest}', kit.withEnterprise, (_req, res) => {
    const back = page(res).base;
    send(
      res,
      404,
      messagePage('页面不存在', '您访问的页面不存在，请返回企业码首页。', back, '返回企业码首页'),
    );
  });
  router.use((_req, res) => send(res, 404, notFoundPage()));
  router.use(pageErrors(ctx));
  return router;
}

/** Errors as pages, never JSON or internals: known ones with their message, the rest as a generic 500. */
function pageErrors(ctx: AppContext): express.ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    // The router's error handler sees no route params: the token is the path's first segment.
    const token = req.params?.token ?? /^\/([A-Za-z0-9_-]{16,128})(?:\/|$)/.exec(req.path)?.[1];
    const back = typeof token === 'string' ? pagePath(token) : undefined;
    if (isAppError(err)) {
      if (err.status === 404) return send(res, 404, notFoundPage());
      return send(res, err.status, messagePage('操作未完成', err.message, back));
    }
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return send(res, status, messagePage('请求无效', '提交的内容无法处理，请返回后重试。', back));
    }
    ctx.logger.error({ err, reqId: req.id }, 'qr page error');
    send(
      res,
      500,
      messagePage('系统繁忙', `系统暂时无法处理，请稍后再试（请求编号 ${String(req.id ?? '')}）。`, back),
    );
  };
}

// The owner's way in and out of the QR page (DESIGN §7): the verify page, an SMS code sent and checked, the PIN
// checked, and logout. A verification opens the 30-minute session (qr-session.ts) and remembers the browser as
// the owner's (qr-known-browser.ts); the commands are in owner-verification.commands.ts and the limits that
// fall on strangers in qr-page.security.ts and qr-send-quota.ts. Only a registered enterprise is verified.
import { createHmac } from 'node:crypto';
import type { Request, RequestHandler, Response, Router } from 'express';
import { isAppError } from '../../errors.ts';
import { formatChinaTime } from '../../notify/notice-text.ts';
import { notifyOwnerPinLocked } from '../../notify/owner-security.notice.ts';
import { presentEnterprisePublic } from '../../presenters/enterprise-public.presenter.ts';
import { provisionalPage } from './layout.view.ts';
import {
  clientTagOf,
  endOwnerSessionsCommand,
  MAX_PIN_FAILURES,
  sendOwnerCodeCommand,
  verifyOwnerCodeCommand,
  verifyOwnerPinCommand,
  type CodeCheck,
  type VerificationDeps,
} from './owner-verification.commands.ts';
import { page, send, sessionOwner, type QrPageKit } from './qr-page.kit.ts';
import type { QrEnterprise } from './qr-page.query.ts';
import { codeForm, pinForm } from './qr-page.schema.ts';
import { verificationLimits } from './qr-page.security.ts';
import { takeSendQuota } from './qr-send-quota.ts';
import { PIN_LOCKED, verifyPage } from './summary.view.ts';

export function qrVerificationRoutes(router: Router, kit: QrPageKit): void {
  const { ctx, opts, sessions, knownBrowsers, qrLimits, withEnterprise, ownerPost, guestPost } = kit;
  const limits = verificationLimits(ctx.limits, qrLimits, (res) => page(res).knownBrowser);
  const verification: VerificationDeps = {
    models: ctx.models,
    clock: opts.securityClock,
    sms: opts.sms,
    codeKey: createHmac('sha256', ctx.config.jwtSecret ?? '')
      .update('qr-owner-code/v1')
      .digest(),
  };

  /**
   * Owner verification is for a registered enterprise: a provisional one's mobile is whoever first named it
   * (anyone may write in with an unregistered credit code), so its code shows the summary only.
   */
  const verifiable: RequestHandler = (_req, res, next) => {
    if (page(res).enterprise.provisional) return send(res, 403, provisionalPage(page(res).base));
    next();
  };

  function renderVerify(
    req: Request,
    res: Response,
    status: number,
    extra: { sent?: boolean; error?: string },
  ) {
    const { enterprise, token, base } = page(res);
    const shown = presentEnterprisePublic(enterprise, false);
    const csrf = sessions.preToken(req, res, token);
    send(
      res,
      status,
      verifyPage({
        base,
        enterpriseName: shown.name,
        maskedMobile: shown.maskedMobile,
        csrf,
        pinLocked: pinLockedFor(res),
        ...extra,
      }),
    );
  }

  /** Strangers have locked the PIN, and this is not the owner's known browser (which the lock never stops). */
  const pinLockedFor = (res: Response) => {
    const { enterprise, knownBrowser } = page(res);
    return knownBrowser === undefined && (enterprise.pinFailures ?? 0) >= MAX_PIN_FAILURES;
  };

  /**
   * A locked PIN is refused before the entry limits count it: the owner on a new phone hears that it is
   * locked and what to do, not 操作过于频繁 from the limit strangers ran into.
   */
  const pinOpen: RequestHandler = (req, res, next) => {
    if (pinLockedFor(res)) return renderVerify(req, res, 403, { error: PIN_LOCKED });
    next();
  };

  /** The browser a code belongs to (guestPost has checked its pre-session cookie). */
  const clientTag = (req: Request) => clientTagOf(verification.codeKey, sessions.preCookie(req) ?? '');

  function startSession(req: Request, res: Response) {
    const { enterprise, token, base } = page(res);
    const owner = sessionOwner(enterprise, token);
    sessions.start(req, res, owner);
    knownBrowsers.remember(req, res, owner);
    res.redirect(303, `${base}?msg=verified`);
  }

  /** Spends one code send: from the owner's known browser, or from the strangers' allowance. */
  const sendQuota = (res: Response) => {
    const { enterprise, knownBrowser } = page(res);
    const onDayCapReached = (until: Date) => codesPaused(enterprise, until);
    const deps = { counters: ctx.limits.counters, limits: qrLimits, onDayCapReached };
    return () => takeSendQuota(deps, String(enterprise._id), knownBrowser, opts.securityClock.now());
  };

  /** The day's codes to this enterprise's mobile are used up by strangers: the centre hears it once. */
  function codesPaused(enterprise: QrEnterprise, until: Date) {
    const enterpriseId = String(enterprise._id);
    ctx.logger.warn({ enterpriseId, until }, 'qr page: daily code sends used up; codes paused, centre told');
    ctx.notify?.notifier.onCentreNotice({
      fact: `qr-codes:${enterpriseId}:${until.getTime()}`,
      event: 'qr_codes_paused',
      subject: enterprise.name,
      vars: {
        enterprise: enterprise.name,
        limit: String(qrLimits.sendPerEnterpriseDay),
        until: formatChinaTime(until),
      },
    });
  }

  router.get('/:token/verify', withEnterprise, verifiable, (req, res) => {
    const { session, base } = page(res);
    if (session) return res.redirect(303, base);
    renderVerify(req, res, 200, { sent: req.query.sent === '1' });
  });

  router.post('/:token/code', withEnterprise, verifiable, ...limits.send, guestPost, async (req, res) => {
    const { enterprise, base } = page(res);
    try {
      await sendOwnerCodeCommand(verification, enterprise, clientTag(req), sendQuota(res));
    } catch (err) {
      if (!isAppError(err)) throw err;
      const retryAfter = err.details?.retryAfterSeconds;
      if (typeof retryAfter === 'number') res.set('Retry-After', String(retryAfter));
      return renderVerify(req, res, err.status, { error: err.message });
    }
    res.redirect(303, `${base}/verify?sent=1`);
  });

  router.post('/:token/verify-code', withEnterprise, verifiable, guestPost, async (req, res) => {
    const form = codeForm.safeParse(req.body);
    if (!form.success) return renderVerify(req, res, 400, { error: '请输入6位数字验证码' });
    const { enterprise } = page(res);
    const check = await verifyOwnerCodeCommand(verification, enterprise._id, clientTag(req), form.data.code);
    if (!check.ok) return renderVerify(req, res, 400, { error: codeError(check) });
    startSession(req, res);
  });

  router.post(
    '/:token/verify-pin',
    withEnterprise,
    verifiable,
    pinOpen,
    ...limits.pin,
    guestPost,
    async (req, res) => {
      const form = pinForm.safeParse(req.body);
      if (!form.success) return renderVerify(req, res, 400, { error: '请输入6位数字 PIN' });
      const { enterprise, knownBrowser } = page(res);
      const notice = { sms: opts.sms, logger: ctx.logger };
      const check = await verifyOwnerPinCommand(
        ctx.models,
        enterprise._id,
        form.data.pin,
        () => notifyOwnerPinLocked(notice, enterprise),
        knownBrowser !== undefined,
      );
      if (check.result === 'no_pin')
        return renderVerify(req, res, 400, { error: '本企业尚未设置 PIN，请使用短信验证码验证。' });
      if (check.result === 'wrong') {
        // The last wrong one locks it: that answer says so (the next try would only hear 已锁定).
        const left = check.triesLeft;
        const error =
          left === undefined
            ? 'PIN 不正确。'
            : left > 0
              ? `PIN 不正确，还可尝试 ${left} 次。`
              : 'PIN 不正确，错误次数过多，已锁定。请使用短信验证码验证，或请办理窗口重新设置 PIN。';
        return renderVerify(req, res, 400, { error });
      }
      if (check.result === 'locked') return renderVerify(req, res, 403, { error: PIN_LOCKED });
      startSession(req, res);
    },
  );

  router.post('/:token/logout', withEnterprise, ...ownerPost, async (req, res) => {
    const { enterprise, token, base } = page(res);
    await endOwnerSessionsCommand(ctx.models, enterprise._id);
    sessions.end(req, res, token);
    knownBrowsers.forget(req, res, token);
    res.redirect(303, `${base}?msg=logged_out`);
  });
}

function codeError(check: Exclude<CodeCheck, { ok: true }>): string {
  switch (check.reason) {
    case 'wrong':
      return `验证码不正确，还可尝试 ${check.triesLeft} 次。`;
    case 'expired':
      return '验证码已过期，请重新获取。';
    case 'dead':
      return '验证码错误次数过多，已失效，请重新获取。';
    default:
      return '请先获取验证码。';
  }
}

// The verified owner's choice of where the enterprise's notices go (短信, 电子邮件 or 微信;
// notify/preference.command.ts). A new choice away from the registered mobile is told to that mobile
// (owner-security.notice.ts): whoever else holds an owner session cannot quietly take the notices elsewhere.
import type { Response, Router } from 'express';
import { preferenceChangedNotice } from '../../notify/owner-security.notice.ts';
import { preferenceForm, readPreference, setPreferenceCommand } from '../../notify/preference.command.ts';
import { presentEnterprisePublic } from '../../presenters/enterprise-public.presenter.ts';
import { preferencePage, type PreferencePageProps } from './preference.view.ts';
import { page, send, type QrPageKit } from './qr-page.kit.ts';
import { formErrorOf } from './qr-page.schema.ts';

/** The form with the choice saved, or as sent with why it was not saved. */
function renderPreference(
  res: Response,
  status: number,
  choice: Pick<PreferencePageProps, 'channel' | 'email' | 'error'>,
) {
  const { enterprise, base, session } = page(res);
  const shown = presentEnterprisePublic(enterprise, true);
  const props = { base, enterpriseName: shown.name, csrf: session!.csrf, maskedMobile: shown.maskedMobile };
  send(res, status, preferencePage({ ...props, ...choice }));
}

export function qrPreferenceRoutes(router: Router, { ctx, withEnterprise, ownerPost }: QrPageKit): void {
  router.get('/:token/preference', withEnterprise, async (_req, res) => {
    const { enterprise, base, session } = page(res);
    if (!session) return res.redirect(303, `${base}/verify`);
    const pref = await readPreference(ctx.models, String(enterprise._id));
    renderPreference(res, 200, { channel: pref.channel, email: pref.email ?? '' });
  });

  router.post('/:token/preference', withEnterprise, ...ownerPost, async (req, res) => {
    const { enterprise, base } = page(res);
    const form = preferenceForm.safeParse(req.body);
    if (!form.success) {
      const raw = req.body as Record<string, unknown>;
      return renderPreference(res, 400, {
        channel: raw.channel === 'email' || raw.channel === 'wechat' ? raw.channel : 'sms',
        email: typeof raw.email === 'string' ? raw.email : '',
        error: formErrorOf(form.error, '提交内容有误，请刷新页面后重试'),
      });
    }
    const before = await readPreference(ctx.models, String(enterprise._id));
    await setPreferenceCommand(ctx.models, ctx.clock, String(enterprise._id), form.data);
    const elsewhere = form.data.channel !== 'sms';
    const changed =
      form.data.channel !== before.channel ||
      (form.data.channel === 'email' && form.data.email !== before.email);
    if (elsewhere && changed)
      await ctx.notify?.notifier.enqueue([preferenceChangedNotice(enterprise, form.data, ctx.clock.now())]);
    res.redirect(303, `${base}?msg=preference_saved`);
  });
}

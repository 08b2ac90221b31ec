// The verified owner's choice of how the centre contacts the enterprise (issue 8): SMS to the registered
// mobile (default), WeChat (a customer-service message to an openid the enterprise wrote in from; without
// one the notifier falls back to SMS, and the label says so), or email.
import { html } from './html.ts';
import { layout } from './layout.view.ts';

export interface PreferencePageProps {
  base: string;
  enterpriseName: string;
  csrf: string;
  channel: 'sms' | 'wechat' | 'email';
  email: string;
  maskedMobile: string;
  error?: string;
}

const OPTIONS = [
  ['sms', '短信（发送至登记手机）'],
  ['wechat', '微信公众号消息（需曾通过公众号反映过问题，否则仍发短信）'],
  ['email', '电子邮件'],
] as const;

export function preferencePage(p: PreferencePageProps): string {
  const body = html`${p.error ? html`<div class="error" role="alert">${p.error}</div>` : ''}
    <div class="card">
      <form method="post" action="${p.base}/preference">
        <input type="hidden" name="_csrf" value="${p.csrf}" />
        <fieldset>
          <legend>办理进展和结果通过以下方式告知您（登记手机 ${p.maskedMobile}）</legend>
          ${OPTIONS.map(
            ([value, label]) =>
              html`<label
                ><input
                  type="radio"
                  name="channel"
                  value="${value}"
                  ${p.channel === value ? 'checked' : ''}
                />
                ${label}</label
              >`,
          )}
        </fieldset>
        <label for="email">电子邮箱（选择电子邮件时填写）</label>
        <input id="email" type="text" name="email" value="${p.email}" maxlength="200" inputmode="email" />
        <button type="submit">保存</button>
      </form>
      <a class="button secondary" href="${p.base}">返回</a>
    </div>`;
  return layout({ title: '通知方式', heading: p.enterpriseName, subheading: '通知方式' }, body);
}

// Pages for anyone holding the printed code: the summary list (stage, responsible unit, promised date — DESIGN
// §7, nothing else) and the owner-verification page (one-time code by SMS, or the enterprise PIN).
import type { presentIssuePublicSummary } from '../../presenters/issue-public.presenter.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, responsibilityFacts } from './layout.view.ts';

export type IssueSummary = ReturnType<typeof presentIssuePublicSummary>;

interface PageBase {
  base: string;
  enterpriseName: string;
}

function summaryItem(i: IssueSummary): SafeHtml {
  return html`<li class="card">
    <div class="row">
      <span class="badge ${i.stage}">${i.stageLabel}</span><span class="num">${i.number}</span>
    </div>
    <dl>${responsibilityFacts(i)}</dl>
  </li>`;
}

export function issueList(items: readonly SafeHtml[], empty: string): SafeHtml {
  return items.length
    ? html`<ul class="list">
        ${items}
      </ul>`
    : html`<div class="card muted">${empty}</div>`;
}

/** The link to the finished issues older than those listed (a plain link: the page needs no script). */
const olderLink = (href: string | undefined) =>
  href ? html`<a class="button secondary" href="${href}">查看更早办结的问题</a>` : '';

const FINISHED_STAGES: ReadonlySet<string> = new Set(['closed', 'merged', 'rejected']);

/** How many are listed, and, when older finished issues are a link away, that these are the recent ones. */
function listHeading(issues: readonly IssueSummary[], partial: boolean): string {
  if (!partial) return `本企业反映的问题（${issues.length}）`;
  const finished = issues.filter((i) => FINISHED_STAGES.has(i.stage)).length;
  return `本企业反映的问题（办理中 ${issues.length - finished}，最近办结 ${finished}）`;
}

/**
 * `provisional`: an enterprise the centre has not confirmed yet, whose owner cannot verify (qr-verification.routes.ts).
 * `older`: where the finished issues older than the listed ones are, when there are any.
 */
export function summaryPage(
  p: PageBase & { issues: readonly IssueSummary[]; notice?: string; provisional?: boolean; older?: string },
): string {
  const body = html` ${p.notice ? html`<div class="notice">${p.notice}</div>` : ''}
    <div class="card">
      <p class="muted">
        此处仅显示办理阶段、责任单位和承诺办结日期。${
          p.provisional
            ? '该企业尚待服务中心核实登记，核实后企业负责人可验证身份，查看问题详情并评价。'
            : '企业负责人验证身份后，可查看问题详情、提交新问题并对办理结果进行评价。'
        }
      </p>
      ${p.provisional ? '' : html`<a class="button" href="${p.base}/verify">企业负责人验证</a>`}
    </div>
    <h2>${listHeading(p.issues, p.older !== undefined)}</h2>
    ${issueList(p.issues.map(summaryItem), '暂无记录。')} ${olderLink(p.older)}`;
  return layout(
    {
      title: '企业码',
      heading: p.enterpriseName,
      subheading: '涉企问题办理进度',
      live: `${p.base}/live`,
    },
    body,
  );
}

/** A page of the enterprise's earlier finished issues, as the summary shows them, newest first. */
export function finishedListPage(p: PageBase & { issues: readonly IssueSummary[]; older?: string }): string {
  const body = html`<h2>更早办结的问题</h2>
    ${issueList(p.issues.map(summaryItem), '没有更早办结的问题。')} ${olderLink(p.older)}
    <a class="button secondary" href="${p.base}">返回</a>`;
  return layout({ title: '企业码', heading: p.enterpriseName, subheading: '更早办结的问题' }, body);
}

/** What a locked PIN leaves the owner to do (the page and the refused PIN entry say the same). */
export const PIN_LOCKED = 'PIN 错误次数过多，已锁定。请使用短信验证码验证，或请办理窗口重新设置 PIN。';

export interface VerifyPageProps extends PageBase {
  maskedMobile: string;
  csrf: string;
  sent?: boolean;
  error?: string;
  /** Strangers' wrong PINs have locked it: the PIN form gives way to what to do instead. */
  pinLocked?: boolean;
}

export function verifyPage(p: VerifyPageProps): string {
  const body = html` ${p.error ? html`<div class="error" role="alert">${p.error}</div>` : ''}
    ${p.sent ? html`<div class="notice">验证码已发送至 ${p.maskedMobile}，5分钟内有效。</div>` : ''}
    <h2>方式一：短信验证码</h2>
    <div class="card">
      <form method="post" action="${p.base}/code">
        <input type="hidden" name="_csrf" value="${p.csrf}" />
        <p class="muted">验证码将发送至企业登记的手机号 ${p.maskedMobile}</p>
        <button type="submit" class="secondary">${p.sent ? '重新发送验证码' : '发送验证码'}</button>
      </form>
      <form method="post" action="${p.base}/verify-code">
        <input type="hidden" name="_csrf" value="${p.csrf}" />
        <label for="code">6位验证码</label>
        <input
          type="tel"
          id="code"
          name="code"
          inputmode="numeric"
          autocomplete="one-time-code"
          pattern="[0-9]{6}"
          maxlength="6"
          required
        />
        <button type="submit">验证</button>
      </form>
    </div>
    <h2>方式二：企业 PIN</h2>
    <div class="card">
      ${
        p.pinLocked
          ? html`<p>${PIN_LOCKED}</p>`
          : html`<form method="post" action="${p.base}/verify-pin">
              <input type="hidden" name="_csrf" value="${p.csrf}" />
              <label for="pin">6位 PIN（企业查询密码，由企业服务中心窗口设置）</label>
              <input
                type="password"
                id="pin"
                name="pin"
                inputmode="numeric"
                autocomplete="off"
                pattern="[0-9]{6}"
                maxlength="6"
                required
              />
              <button type="submit">验证</button>
            </form>`
      }
    </div>
    <a class="button secondary" href="${p.base}">返回</a>`;
  return layout({ title: '企业负责人验证', heading: p.enterpriseName, subheading: '企业负责人验证' }, body);
}

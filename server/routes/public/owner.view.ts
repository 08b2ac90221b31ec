// Pages for the verified owner: every issue of the enterprise with its text, public progress and reply, the
// 好差评 form on issues awaiting a rating, and the form for raising a new issue (with photos and PDFs: a plain
// multipart form, so a phone offers its camera without any script). Forms post back with the session's CSRF
// token and land on a fresh GET (post-redirect-get), so a reload never resubmits; a refused form comes back
// with the error beside it and what was typed still in it.
import { RATING_LABELS, RATING_LEVEL_LABELS, RATING_LEVELS, ratingOfLevel } from '../../../shared/states.ts';
import {
  ACCEPTED_TYPES,
  MAX_ATTACHMENT_BYTES,
  MAX_ATTACHMENTS_PER_ISSUE,
} from '../../attachments/attachment.rules.ts';
import type { RefusedAttachment } from '../../attachments/attachment.rules.ts';
import type { presentIssuePublic } from '../../presenters/issue-public.presenter.ts';
import { html, type SafeHtml } from './html.ts';
import { chinaDate, chinaDateTime, layout, responsibilityFacts } from './layout.view.ts';
import { FILES_FIELD } from './qr-upload.ts';
import type { OwnerFile } from './qr-files.ts';
import { issueList } from './summary.view.ts';

export type OwnerIssue = ReturnType<typeof presentIssuePublic> & {
  classNote?: string;
  /** The files the owner may open: those the enterprise sent, and those the unit provided (qr-files.ts). */
  files?: readonly OwnerFile[];
};

interface OwnerBase {
  base: string;
  enterpriseName: string;
  csrf: string;
}

function levelChoices(side: 'good' | 'bad'): SafeHtml[] {
  return RATING_LEVELS.filter((l) => ratingOfLevel(l) === side).map(
    (l) => html`<label><input type="radio" name="level" value="${l}" />${RATING_LEVEL_LABELS[l]}</label>`,
  );
}

const MAX_MB = MAX_ATTACHMENT_BYTES / 1024 / 1024;
/** What the file inputs take, said beside each. */
export const FILES_HINT = `可拍照或从相册选择（JPG、PNG、GIF、WebP），也可上传 PDF；最多${MAX_ATTACHMENTS_PER_ISSUE}个，每个不超过${MAX_MB}MB。`;

/** A rating the page refused (an unknown level, a level of the other side): shown on that issue's form. */
export interface RateError {
  issueId: string;
  message: string;
  /** The comment as typed, so it is not lost. */
  comment?: string;
}

function rateForm(p: OwnerBase, i: OwnerIssue, error: RateError | undefined): SafeHtml {
  // The fragment brings a refused form's page back to this issue.
  return html`<form method="post" action="${p.base}/issues/${i.id}/rate#issue-${i.id}">
    <input type="hidden" name="_csrf" value="${p.csrf}" />
    <p class="title">
      请对办理结果进行评价${i.rateBy ? html`<span class="muted">（${chinaDate(i.rateBy)}前）</span>` : ''}
    </p>
    ${error ? html`<div class="error" role="alert">${error.message}</div>` : ''}
    <div class="two">
      <button type="submit" name="rating" value="good" class="good">满意</button>
      <button type="submit" name="rating" value="bad" class="bad">不满意</button>
    </div>
    <details id="rate-more-${i.id}" ${error ? 'open' : ''}>
      <summary>详细评价（可选）</summary>
      <fieldset class="levels">
        <legend>好评</legend>
        ${levelChoices('good')}
      </fieldset>
      <fieldset class="levels">
        <legend>差评</legend>
        ${levelChoices('bad')}
      </fieldset>
      <label for="comment-${i.id}">评价意见</label>
      <textarea id="comment-${i.id}" name="comment" maxlength="500">${error?.comment ?? ''}</textarea>
      <button type="submit" name="rating" value="level">提交详细评价</button>
    </details>
  </form>`;
}

function ratingLine(i: OwnerIssue): SafeHtml {
  if (!i.rating) return html``;
  const level = i.rating.level ? ` · ${RATING_LEVEL_LABELS[i.rating.level]}` : '';
  const comment = i.rating.comment ? html`<br /><span class="content">“${i.rating.comment}”</span>` : '';
  return html`<dt>您的评价</dt>
    <dd>${RATING_LABELS[i.rating.rating]}${level}${comment}</dd>`;
}

/**
 * A title made from the first words of the content (no title given: its first sentence, or its first words
 * and …, with runs of spaces made one) would only repeat it.
 */
function titleShown(i: OwnerIssue): boolean {
  if (!i.title) return false;
  const start = i.title.replace(/…$/u, '').replace(/\s+/gu, ' ');
  return !i.content.replace(/\s+/gu, ' ').trimStart().startsWith(start);
}

const sizeOf = (bytes: number) =>
  bytes < 1024 * 1024
    ? `${Math.max(1, Math.round(bytes / 1024))}KB`
    : `${(bytes / 1024 / 1024).toFixed(1)}MB`;

/** One file, opening from the page; one still being fetched from WeChat says so. */
function fileItem(p: OwnerBase, i: OwnerIssue, f: OwnerFile): SafeHtml {
  return f.status === 'stored'
    ? html`<li>
        <a href="${p.base}/issues/${i.id}/files/${f.id}" target="_blank" rel="noopener">${f.filename}</a
        >（${sizeOf(f.size)}）
      </li>`
    : html`<li>${f.filename}（${f.status === 'pending' ? '正在获取' : '未能获取'}）</li>`;
}

/** The files the enterprise sent, then those the unit provided for it (企业可见), each as its own list. */
function filesLine(p: OwnerBase, i: OwnerIssue): SafeHtml | string {
  const group = (title: string, files: readonly OwnerFile[]) =>
    files.length
      ? html`<dt>${title}</dt>
          <dd>
            <ul class="files">
              ${files.map((f) => fileItem(p, i, f))}
            </ul>
          </dd>`
      : '';
  const files = i.files ?? [];
  return html`${group(
    '提交的材料',
    files.filter((f) => !f.fromUnit),
  )}${group(
    '办理单位提供的材料',
    files.filter((f) => f.fromUnit),
  )}`;
}

/** The photos-and-PDFs input, the accepted types by name (see ACCEPTED_TYPES), and the hint saying so. */
function fileInput(id: string): SafeHtml {
  return html`<label for="${id}">照片或文件（可选）</label>
    <input
      type="file"
      id="${id}"
      name="${FILES_FIELD}"
      accept="${ACCEPTED_TYPES.join(',')}"
      multiple
      aria-describedby="${id}-hint"
    />
    <p class="muted" id="${id}-hint">${FILES_HINT}</p>`;
}

/**
 * 补充材料: words and files for the unit handling the issue; the token leads, so it is read before any file. Open
 * on a suspended issue (a unit often waits on the enterprise's materials) and on a bad rating being checked
 * (the one tap said no why; the centre's check reads the reasons).
 */
const SUPPLEMENT_OPENS: Readonly<Record<string, { summary: string; hint: string }>> = {
  suspended: {
    summary: '补充说明或材料',
    hint: '本问题暂停办理中。如承办单位需要您补充材料，可在此提交。',
  },
  verifying: {
    summary: '说明不满意的原因',
    hint: '您的差评正在核实中。可在此说明不满意的原因或补充照片，服务中心核实时将一并参考。',
  },
};

function supplementForm(p: OwnerBase, i: OwnerIssue): SafeHtml {
  // A bad rating that already says why is not asked why again: the form stays, closed, for anything more.
  const explained = i.stage === 'verifying' && Boolean(i.rating?.comment);
  const opens = explained ? undefined : SUPPLEMENT_OPENS[i.stage];
  return html`<details id="supplement-${i.id}" ${opens ? 'open' : ''}>
    <summary>${opens?.summary ?? '补充说明或材料'}</summary>
    ${opens ? html`<p class="muted">${opens.hint}</p>` : ''}
    <form method="post" action="${p.base}/issues/${i.id}/supplement" enctype="multipart/form-data">
      <input type="hidden" name="_csrf" value="${p.csrf}" />
      <label for="supplement-text-${i.id}">补充说明</label>
      <textarea
        id="supplement-text-${i.id}"
        name="text"
        rows="3"
        maxlength="${PUBLIC_CONTENT_MAX}"
      ></textarea>
      ${fileInput(`supplement-files-${i.id}`)}
      <button type="submit">提交补充材料</button>
    </form>
  </details>`;
}

/** Where a merged issue is handled: the enterprise's own issue by its number, linked on the page. */
function mergedLine(i: OwnerIssue, numbers: ReadonlyMap<string, string>): SafeHtml | string {
  if (i.stage !== 'merged') return '';
  const number = i.mergedIntoId ? numbers.get(i.mergedIntoId) : undefined;
  return html`<dt>合并至</dt>
    <dd>
      ${
        number
          ? html`<a href="#issue-${i.mergedIntoId}">${number}</a>，与该问题一并办理，进度请看该问题`
          : '与同一问题的其他反映一并办理'
      }
    </dd>`;
}

function ownerItem(
  p: OwnerBase,
  i: OwnerIssue,
  numbers: ReadonlyMap<string, string>,
  rateError?: RateError,
): SafeHtml {
  const progress = i.progress.map(
    (e) =>
      html`<li>
        ${chinaDateTime(e.at)} ${e.label}${e.note ? html`：<span class="content">${e.note}</span>` : ''}
      </li>`,
  );
  return html`<li class="card" id="issue-${i.id}">
    <div class="row">
      <span class="badge ${i.stage}">${i.stageLabel}</span><span class="num">${i.number}</span>
    </div>
    ${titleShown(i) ? html`<p class="title">${i.title}</p>` : ''}
    <p class="content">${i.content}</p>
    <dl>
      <dt>类别</dt>
      <dd>${i.categoryLabel}</dd>
      ${responsibilityFacts(i)} ${mergedLine(i, numbers)} ${filesLine(p, i)} ${ratingLine(i)}
    </dl>
    ${
      i.reply
        ? html`<p class="title">办理答复</p>
            <p class="reply">${i.reply}</p>`
        : ''
    }
    ${
      i.rejectReason
        ? html`<p class="title">不予受理理由</p>
            <p class="reply">${i.rejectReason}</p>`
        : ''
    }
    ${
      progress.length
        ? html`<details id="progress-${i.id}">
            <summary>办理进展（${progress.length}）</summary>
            <ol class="progress">
              ${progress}
            </ol>
          </details>`
        : ''
    }
    ${i.canSupplement ? supplementForm(p, i) : ''}
    ${i.canRate ? rateForm(p, i, rateError?.issueId === i.id ? rateError : undefined) : ''}
  </li>`;
}

/** The files of an issue just submitted that were not kept, and why, for the owner to send another way. */
function refusedFilesNote(refused: readonly RefusedAttachment[]): SafeHtml {
  return html`<div class="error" role="alert">
    <p>以下${refused.length}个文件未上传，问题本身已正常提交：</p>
    <ul class="refused">
      ${refused.map((r) => html`<li>${r.filename}（${r.reason}）</li>`)}
    </ul>
    <p>
      如需补充，可换成照片或 PDF
      后在该问题下「补充说明或材料」中提交（每个不超过${MAX_MB}MB，每个问题最多${MAX_ATTACHMENTS_PER_ISSUE}个）。
    </p>
  </div>`;
}

export function ownerPage(
  p: OwnerBase & {
    issues: readonly OwnerIssue[];
    maskedMobile: string;
    notice?: string;
    refusedFiles?: readonly RefusedAttachment[];
    /** A refused rating: its page answers a POST, so it neither updates itself live nor is cached. */
    rateError?: RateError;
  },
) {
  const toRate = p.issues.filter((i) => i.canRate);
  const rest = p.issues.filter((i) => !i.canRate);
  const restHeading = toRate.length ? `其他问题（${rest.length}）` : `全部问题（${rest.length}）`;
  const numbers = new Map(p.issues.map((i) => [i.id, i.number]));
  const item = (i: OwnerIssue) => ownerItem(p, i, numbers, p.rateError);
  // An error for an issue that has no rating form (no longer awaiting one): said at the top.
  const strayError =
    p.rateError && !toRate.some((i) => i.id === p.rateError?.issueId) ? p.rateError.message : undefined;
  const body = html` ${p.notice ? html`<div class="notice" role="status">${p.notice}</div>` : ''}
    ${p.refusedFiles?.length ? refusedFilesNote(p.refusedFiles) : ''}
    ${strayError ? html`<div class="error" role="alert">${strayError}</div>` : ''}
    <div class="card">
      <p class="muted">已验证企业负责人身份（${p.maskedMobile}），30分钟内有效。</p>
      <a class="button" href="${p.base}/new">反映新问题</a>
      <a class="button secondary" href="${p.base}/preference">通知方式</a>
      <form method="post" action="${p.base}/logout">
        <input type="hidden" name="_csrf" value="${p.csrf}" />
        <button type="submit" class="secondary">退出验证</button>
      </form>
    </div>
    ${toRate.length ? html`<h2>待您评价（${toRate.length}）</h2>` : ''}
    ${toRate.length ? issueList(toRate.map(item), '') : ''}
    <h2>${restHeading}</h2>
    ${issueList(rest.map(item), '暂无记录。')}`;
  return layout(
    {
      title: '企业码',
      heading: p.enterpriseName,
      subheading: '涉企问题办理详情',
      ...(p.rateError ? {} : { live: `${p.base}/live` }),
    },
    body,
  );
}

export interface NewIssueForm {
  title?: string;
  content?: string;
  submissionId: string;
  error?: string;
  /** The refused form had files: a browser never fills a file input again, so the owner is told to. */
  filesDropped?: boolean;
}

export const PUBLIC_TITLE_MAX = 100;
/** Fewer characters than this say nothing a unit could act on ("短", "test"); the server checks it too. */
export const PUBLIC_CONTENT_MIN = 10;
export const PUBLIC_CONTENT_MAX = 2000;

export function newIssuePage(p: OwnerBase & { form: NewIssueForm }): string {
  const f = p.form;
  const error = f.error && f.filesDropped ? `${f.error}（如已选择照片或文件，请重新选择）` : f.error;
  // The token first: the server reads no file before it has checked it (qr-upload.ts).
  const body = html` ${error ? html`<div class="error" role="alert">${error}</div>` : ''}
    <div class="card">
      <form method="post" action="${p.base}/issues" enctype="multipart/form-data">
        <input type="hidden" name="_csrf" value="${p.csrf}" />
        <input type="hidden" name="submissionId" value="${f.submissionId}" />
        <label for="title">标题（可选）</label>
        <input type="text" id="title" name="title" maxlength="${PUBLIC_TITLE_MAX}" value="${f.title ?? ''}" />
        <label for="content">问题描述（必填，${PUBLIC_CONTENT_MIN}–${PUBLIC_CONTENT_MAX}字）</label>
        <textarea
          id="content"
          name="content"
          minlength="${PUBLIC_CONTENT_MIN}"
          maxlength="${PUBLIC_CONTENT_MAX}"
          required
        >
${f.content ?? ''}</textarea>
        ${fileInput('files')}
        <button type="submit">提交</button>
      </form>
      <a class="button secondary" href="${p.base}">返回</a>
    </div>`;
  return layout({ title: '反映新问题', heading: p.enterpriseName, subheading: '反映新问题' }, body);
}

export type LapsedForm = keyof typeof LAPSED_FORMS;

const LAPSED_FORMS = {
  issue: { what: '问题', where: '在「反映新问题」中' },
  supplement: { what: '补充材料', where: '在该问题的「补充说明或材料」中' },
  rating: { what: '评价', where: '在该问题的评价意见中' },
} as const;

/**
 * A form sent after the owner's 30 minutes lapsed: not taken, and what was typed is shown back to copy, so
 * verifying again does not cost the owner their words (files must be chosen again).
 */
export function lapsedFormPage(p: { base: string; form: LapsedForm; typed: string; hadFiles: boolean }) {
  const { what, where } = LAPSED_FORMS[p.form];
  const files = p.hadFiles ? '如已选择照片或文件，提交时请重新选择。' : '';
  const body = html`<div class="card">
    <p>验证已过期（验证后30分钟内有效），${what}尚未提交。</p>
    ${
      p.typed
        ? html`<p>请先复制下面您填写的内容，重新验证后${where}粘贴提交。${files}</p>
            <label for="typed">您填写的内容</label>
            <textarea id="typed" readonly rows="8">${p.typed}</textarea>`
        : ''
    }
    <a class="button" href="${p.base}/verify">重新验证</a>
  </div>`;
  return layout({ title: '请先验证身份', heading: '请先验证身份' }, body);
}

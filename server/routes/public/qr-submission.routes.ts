// The verified owner's writes on the QR page: a new issue (with photos and PDFs, qr-upload.ts), a rating, and
// 补充材料 for an issue still being handled. Each is one command; a refused form comes back with its error and
// what was typed, and one sent after the session lapsed shows the typed words back to copy. A new issue and
// 补充材料 share one budget per enterprise, and its multipart forms are read one at a time.
import { randomBytes } from 'node:crypto';
import type { Request, RequestHandler, Response, Router } from 'express';
import { ratingOfLevel } from '../../../shared/states.ts';
import { enterpriseIssueCreateCommand } from '../../commands/issue-create.command.ts';
import { issueEnterpriseActionCommand } from '../../commands/issue-enterprise-action.command.ts';
import { enterpriseSupplementCommand, supplementTarget } from '../../commands/issue-supplement.command.ts';
import { isAppError } from '../../errors.ts';
import { bodyProblem } from '../../http/body-guard.middleware.ts';
import { messagePage, notFoundPage } from './layout.view.ts';
import { FILES_HINT, lapsedFormPage, newIssuePage, type LapsedForm } from './owner.view.ts';
import { forbiddenCsrf, OBJECT_ID, page, send, type QrPageKit } from './qr-page.kit.ts';
import { formErrorOf, mismatchMessage, newIssueForm, rateForm, supplementForm } from './qr-page.schema.ts';
import { renderOwner } from './qr-pages.routes.ts';
import { readIssueUpload, UPLOADS_PER_SUBMISSION } from './qr-upload.ts';

export function qrSubmissionRoutes(router: Router, kit: QrPageKit): void {
  const { ctx, sessions, qrLimits, issueDeps, withEnterprise, ownerSession, sessionCsrf } = kit;

  router.get('/:token/new', withEnterprise, (req, res) => {
    const { enterprise, base, session } = page(res);
    if (!session) return res.redirect(303, `${base}/verify`);
    const form = { submissionId: randomBytes(18).toString('base64url') };
    send(res, 200, newIssuePage({ base, enterpriseName: enterprise.name, csrf: session.csrf, form }));
  });

  /**
   * Multipart forms being read per enterprise in this process: each may hold 5 files of 10 MB, so one at a time
   * (a phone sends one form), and every read is counted before it starts, valid or not.
   */
  const uploading = new Set<string>();
  const readUpload = async (req: Request, enterpriseId: string, csrf: string | undefined) => {
    const { hits } = await ctx.limits.counters.hit(`qr-upload|${enterpriseId}`, qrLimits.windowMs);
    const busy = uploading.has(enterpriseId);
    if (busy || hits > UPLOADS_PER_SUBMISSION * qrLimits.submitPerEnterprise) {
      req.resume();
      const error = busy
        ? '上一份材料正在上传，请等待其完成后再提交。'
        : '本企业提交过于频繁，请稍后再提交；紧急情况请拨打12345热线。';
      return { ok: false as const, status: 429, error, fields: {} };
    }
    uploading.add(enterpriseId);
    try {
      return await readIssueUpload(req, (sent) => sessions.csrfMatches(sent, csrf));
    } finally {
      uploading.delete(enterpriseId);
    }
  };

  /**
   * A form (a new issue, 补充材料, a rating) sent once the owner's session lapsed: not taken, and the typed
   * words shown back to copy. Only from the owner's known browser (its SameSite=Strict cookie never comes with
   * another site's form, so no site can put words on this page); a multipart form is read for its words, every
   * file drained unread, under the same per-enterprise read bound. From any other browser the form is refused
   * unread, as before.
   */
  const sessionOrTypedBack =
    (form: LapsedForm): RequestHandler =>
    async (req, res, next) => {
      const { enterprise, base, session, knownBrowser } = page(res);
      // A form from another page of the same site (a sibling host) carries the cookie too: the browser says where.
      const site = req.get('sec-fetch-site');
      const fromThisPage = !site || site === 'same-origin';
      if (session || !knownBrowser || !fromThisPage) return ownerSession(req, res, next);
      const multipart = req.is('multipart/form-data');
      const fields = (
        multipart ? (await readUpload(req, String(enterprise._id), undefined)).fields : (req.body ?? {})
      ) as Record<string, unknown>;
      const typed = [fields.title, fields.content, fields.text, fields.comment]
        .filter((v): v is string => typeof v === 'string' && !!v.trim())
        .map((v) => v.trim())
        .join('\n');
      send(res, 403, lapsedFormPage({ base, form, typed, hadFiles: !!multipart }));
    };

  /**
   * A new issue's or 补充材料's form, with files (multipart) or without: its fields and files, or why it is not
   * taken. A read refused for the enterprise's bound is said before the token is judged (nothing of the form
   * was read); a wrong or missing token, or a file ahead of it, is the expired page (`'csrf'`); then the
   * reader's own refusal, and a field the body guard refuses in every parsed body.
   */
  const readOwnerForm = async (req: Request, res: Response, enterpriseId: string) => {
    const { session } = page(res);
    const upload = req.is('multipart/form-data') ? await readUpload(req, enterpriseId, session!.csrf) : null;
    const raw = (upload ? upload.fields : (req.body ?? {})) as Record<string, unknown>;
    const refusal = ((): { status: number; error: string } | 'csrf' | undefined => {
      if (upload && !upload.ok && upload.status === 429) return { status: 429, error: upload.error };
      if ((upload && !upload.ok && 'csrf' in upload) || !sessions.csrfMatches(raw._csrf, session!.csrf))
        return 'csrf';
      if (upload && !upload.ok) return { status: upload.status, error: upload.error };
      const problem = upload ? bodyProblem(raw) : undefined;
      if (problem) return { status: 400, error: problem };
    })();
    return { raw, multipart: upload !== null, upload: upload?.ok ? upload : undefined, refusal };
  };

  /** Per enterprise, whatever the session or process: a verified phone is not a licence to flood the queue. */
  const overSubmitBudget = async (enterpriseId: string) => {
    const { hits } = await ctx.limits.counters.hit(`qr-submit|${enterpriseId}`, qrLimits.windowMs);
    return hits > qrLimits.submitPerEnterprise;
  };

  // The new issue, with the owner's photos and PDFs (multipart; a urlencoded form without files still works).
  router.post('/:token/issues', withEnterprise, sessionOrTypedBack('issue'), async (req, res) => {
    const { enterprise, base, session } = page(res);
    const { raw, multipart, upload, refusal } = await readOwnerForm(req, res, String(enterprise._id));
    /** The form again, with what the owner typed and why it was not accepted (files must be chosen again). */
    const refuse = (status: number, error: string) => {
      const form = {
        title: typeof raw.title === 'string' ? raw.title : undefined,
        content: typeof raw.content === 'string' ? raw.content : undefined,
        submissionId: randomBytes(18).toString('base64url'),
        error,
        filesDropped: multipart,
      };
      const body = { base, enterpriseName: enterprise.name, csrf: session!.csrf, form };
      send(res, status, newIssuePage(body));
    };
    if (refusal === 'csrf') return forbiddenCsrf(res, base);
    if (refusal) return refuse(refusal.status, refusal.error);
    const parsed = newIssueForm.safeParse(raw);
    if (!parsed.success) return refuse(400, formErrorOf(parsed.error, '提交内容有误，请刷新页面后重试'));
    if (await overSubmitBudget(String(enterprise._id))) {
      const minutes = Math.round(qrLimits.windowMs / 60_000);
      return refuse(
        429,
        `本企业${minutes}分钟内已提交${qrLimits.submitPerEnterprise}个问题，请稍后再提交；紧急情况请拨打12345热线。`,
      );
    }
    const form = upload
      ? { ...parsed.data, attachments: upload.files, refusedAttachments: upload.refused }
      : parsed.data;
    const { issue } = await enterpriseIssueCreateCommand(issueDeps, String(enterprise._id), form);
    // The page after the redirect reads what became of the files from the issue itself (qr-page.notices.ts).
    res.redirect(303, `${base}?msg=submitted&n=${encodeURIComponent(issue.number)}`);
  });

  const rateGuards = [sessionOrTypedBack('rating'), sessionCsrf];
  router.post('/:token/issues/:id/rate', withEnterprise, ...rateGuards, async (req, res) => {
    const { enterprise, base } = page(res);
    const id = String(req.params.id);
    if (!OBJECT_ID.test(id)) return send(res, 404, notFoundPage());
    const form = rateForm.safeParse(req.body);
    const raw = req.body as Record<string, unknown>;
    const comment = typeof raw.comment === 'string' ? raw.comment : undefined;
    // Not a dead end: the page again, the error on this issue's form with the comment as typed.
    if (!form.success)
      return renderOwner(ctx, req, res, 400, {
        issueId: id,
        message: formErrorOf(form.error, '评价内容有误，请刷新页面后重试'),
        comment,
      });
    const { level } = form.data;
    const rating = form.data.rating === 'level' ? ratingOfLevel(level!) : form.data.rating;
    // A level of the other side than the button pressed (非常满意, then 不满意): ask rather than guess, since a
    // good rating closes the issue for good.
    if (level && ratingOfLevel(level) !== rating)
      return renderOwner(ctx, req, res, 400, {
        issueId: id,
        message: mismatchMessage(level, rating),
        comment,
      });
    const input = {
      rating,
      ...(level ? { level } : {}),
      ...(form.data.comment ? { comment: form.data.comment } : {}),
    };
    const enterpriseId = String(enterprise._id);
    try {
      await issueEnterpriseActionCommand(issueDeps, { enterpriseId, issueId: id, action: 'rate', input });
    } catch (err) {
      // A repeated tap is harmless: the page shows the rating already given. A stale page's rating for an issue
      // that no longer (or not yet) waits for one is told so in the owner's words, not the staff state's.
      if (!isAppError(err) || (err.code !== 'already_rated' && err.code !== 'illegal_transition')) throw err;
      const msg = err.code === 'already_rated' ? 'already_rated' : 'not_ratable';
      return res.redirect(303, `${base}?msg=${msg}#issue-${id}`);
    }
    // A bad rating that says why is not asked why again (the reason is on the card).
    const outcome = rating === 'bad' && input.comment ? 'rated_bad_explained' : `rated_${rating}`;
    res.redirect(303, `${base}?msg=${outcome}#issue-${id}`);
  });

  // 补充材料: words and files for an issue still being handled (multipart; a urlencoded form without files works).
  router.post(
    '/:token/issues/:id/supplement',
    withEnterprise,
    sessionOrTypedBack('supplement'),
    async (req, res) => {
      const { enterprise, base } = page(res);
      const id = String(req.params.id);
      const back = `${base}#issue-${id}`;
      const enterpriseId = String(enterprise._id);
      if (!OBJECT_ID.test(id)) return send(res, 404, notFoundPage());
      // No file is read for an issue that would refuse it (another enterprise's, finished, at its limit).
      await supplementTarget(issueDeps, enterpriseId, id);
      const { raw, upload, refusal } = await readOwnerForm(req, res, enterpriseId);
      if (refusal === 'csrf') return forbiddenCsrf(res, base);
      if (refusal) return send(res, refusal.status, messagePage('补充材料未提交', refusal.error, back));
      const parsed = supplementForm.safeParse(raw);
      if (!parsed.success) {
        const message = formErrorOf(parsed.error, '补充内容有误，请刷新页面后重试');
        return send(res, 400, messagePage('补充材料未提交', message, back));
      }
      // The new-issue form's budget: an owner's writes share it.
      if (await overSubmitBudget(enterpriseId))
        return send(res, 429, messagePage('补充材料未提交', '本企业提交过于频繁，请稍后再提交。', back));
      const { stored, refused } = await enterpriseSupplementCommand(issueDeps, ctx.attachments, {
        enterpriseId,
        issueId: id,
        text: parsed.data.text ?? '',
        files: upload?.files ?? [],
        refused: upload?.refused ?? [],
      });
      if (!refused.length) return res.redirect(303, `${base}?msg=supplemented#issue-${id}`);
      const names = refused.map((r) => `${r.filename}（${r.reason}）`).join('、');
      const nothing = !stored.length && !parsed.data.text;
      const message = `以下文件未上传：${names}${nothing ? '。' : '；其余内容已提交。'}${FILES_HINT}`;
      send(res, 200, messagePage(nothing ? '补充材料未提交' : '部分文件未上传', message, back));
    },
  );
}

// The QR page's reads: the summary that anyone holding the printed code sees, the verified owner's page in its
// place, the earlier finished issues, the live stream that tells an open page to refresh itself, and the
// owner's files. The owner's page is also what a refused rating shows again (qr-submission.routes.ts), so it is
// rendered here for both.
import type { Request, Response, Router } from 'express';
import { Types } from 'mongoose';
import { sendAttachment } from '../../attachments/attachments.router.ts';
import { classFactsOf } from '../../classes/class-qr.ts';
import type { AppContext } from '../../http/app-context.ts';
import { presentEnterprisePublic } from '../../presenters/enterprise-public.presenter.ts';
import { presentIssuePublic, presentIssuePublicSummary } from '../../presenters/issue-public.presenter.ts';
import { messagePage, notFoundPage } from './layout.view.ts';
import { ownerPage, type RateError } from './owner.view.ts';
import { openOwnerFile, ownerFilesOf } from './qr-files.ts';
import { OBJECT_ID, page, send, type QrPageKit } from './qr-page.kit.ts';
import { noticeFor, sortForOwner, submittedOutcome } from './qr-page.notices.ts';
import {
  cursorOf,
  listEnterpriseIssues,
  parseCursor,
  readFinishedPage,
  withRecentFinished,
} from './qr-page.query.ts';
import { finishedListPage, summaryPage } from './summary.view.ts';

const olderHref = (base: string, cursor: string) => `${base}/finished?before=${cursor}`;

export function qrPageRoutes(router: Router, { ctx, opts, withEnterprise }: QrPageKit): void {
  router.get('/:token', withEnterprise, async (req, res) => {
    const { enterprise, base, session } = page(res);
    if (session) return renderOwner(ctx, req, res, 200);
    const shown = presentEnterprisePublic(enterprise, false);
    const notice = noticeFor(req.query);
    // Now and the working days, so that a broken promise reads 已超期 N 个工作日.
    const calendar = (await ctx.intakeConfig.get()).calendar;
    const listed = sortForOwner(await listEnterpriseIssues(ctx.models, enterprise._id, 'summary'));
    const { issues, older } = withRecentFinished(listed);
    const { deadlines } = await classFactsOf(ctx.models, issues);
    const at = { now: ctx.clock.now(), calendar, classDeadlines: deadlines };
    send(
      res,
      200,
      summaryPage({
        base,
        enterpriseName: shown.name,
        issues: issues.map((i) => presentIssuePublicSummary(i, at)),
        notice,
        provisional: enterprise.provisional === true,
        older: older && olderHref(base, older),
      }),
    );
  });

  // The enterprise's earlier finished issues, 20 a page, as the summary shows them (to anyone holding the code).
  router.get('/:token/finished', withEnterprise, async (req, res) => {
    const { enterprise, base, session } = page(res);
    const before = typeof req.query.before === 'string' ? parseCursor(req.query.before) : null;
    if (req.query.before !== undefined && !before)
      return send(res, 400, messagePage('链接无效', '该链接无效，请返回企业码页面重新查看。', base));
    const { issues, more } = await readFinishedPage(ctx.models, enterprise._id, before);
    const older = more ? olderHref(base, cursorOf(issues[issues.length - 1])) : undefined;
    const enterpriseName = presentEnterprisePublic(enterprise, session !== null).name;
    const summaries = issues.map((i) => presentIssuePublicSummary(i));
    send(res, 200, finishedListPage({ base, enterpriseName, issues: summaries, older }));
  });

  // The page's live stream: summary-level events for this enterprise, to anyone holding the code (the page
  // then re-fetches itself, which shows details only to a verified owner).
  router.get('/:token/live', withEnterprise, (_req, res) => {
    if (!opts.live) return send(res, 404, notFoundPage());
    opts.live.subscribe(String(page(res).enterprise._id), res);
  });

  // One of the files the enterprise sent with its issue, back to its verified owner (qr-files.ts).
  router.get('/:token/issues/:id/files/:fileId', withEnterprise, async (req, res) => {
    const { enterprise, base, session } = page(res);
    if (!session) return res.redirect(303, `${base}/verify`);
    const [id, fileId] = [String(req.params.id), String(req.params.fileId)];
    const missing = () =>
      send(res, 404, messagePage('文件不存在', '该文件不存在或已不能查看。', base, '返回企业码首页'));
    if (!OBJECT_ID.test(id) || !OBJECT_ID.test(fileId)) return missing();
    const issueId = new Types.ObjectId(id);
    if (!(await ctx.models.Issue.exists({ _id: issueId, enterpriseId: enterprise._id }))) return missing();
    const file = await openOwnerFile(ctx.attachments, issueId, new Types.ObjectId(fileId));
    if (!file) return missing();
    sendAttachment(res, file.info, file.stream);
  });
}

/** The verified owner's page; after a refused rating, with the error and the comment on that issue's form. */
export async function renderOwner(
  ctx: AppContext,
  req: Request,
  res: Response,
  status: number,
  rateError?: RateError,
) {
  const { enterprise, base, session } = page(res);
  const shown = presentEnterprisePublic(enterprise, true);
  const config = await ctx.intakeConfig.get();
  const issues = sortForOwner(await listEnterpriseIssues(ctx.models, enterprise._id, 'owner'));
  const [{ notes, deadlines }, files] = await Promise.all([
    classFactsOf(ctx.models, issues),
    ownerFilesOf(ctx.attachments, issues),
  ]);
  const at = { now: ctx.clock.now(), calendar: config.calendar, classDeadlines: deadlines };
  // Progress names the units steps handed the issue to, from the configuration's unit cache.
  const full = issues.map((i) => ({
    ...presentIssuePublic(i, at, config.unitById),
    classNote: notes.get(i.number),
    files: files.get(String(i._id)) ?? [],
  }));
  const submitted = rateError ? undefined : submittedOutcome(req.query, issues);
  send(
    res,
    status,
    ownerPage({
      base,
      enterpriseName: shown.name,
      csrf: session!.csrf,
      issues: full,
      maskedMobile: shown.maskedMobile,
      notice: rateError ? undefined : noticeFor(req.query, submitted),
      refusedFiles: submitted?.refused,
      rateError,
    }),
  );
}

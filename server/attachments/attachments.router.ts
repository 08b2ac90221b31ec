// /api/issues/:id/attachments: staff list, upload (multipart, images and PDF) and download an issue's files.
// Reads go through the issue read policy (getVisibleIssue answers 404 for an issue the actor may not see), so
// a file is served only to those who may read its issue. An upload is a write: one command
// (attachment-upload.command.ts) allows it to those who may act on the issue, while it is not finished, and
// records it on the timeline. Downloads are sent with nosniff, a Content-Disposition and a sandboxing CSP, so
// a file can never run as a page of this site.
import { Router, type Request, type Response } from 'express';
import type { Readable } from 'node:stream';
import { Types } from 'mongoose';
import { cachedSettings } from '../commands/issue-deps.ts';
import { badRequest, notFound, AppError } from '../errors.ts';
import type { AppContext } from '../http/app-context.ts';
import { bufferOf, readMultipart } from '../http/multipart.ts';
import { actorOf } from '../http/request-context.ts';
import { getVisibleIssue } from '../routes/issues/issue-read.query.ts';
import { attachmentUploadCommand, type UploadedFile } from './attachment-upload.command.ts';
import { contentDisposition, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_ISSUE } from './attachment.rules.ts';
import type { AttachmentInfo, AttachmentStore } from './attachment.store.ts';

const OBJECT_ID = /^[0-9a-f]{24}$/i;

function objectIdParam(req: Request, name: string): Types.ObjectId {
  const value = req.params[name];
  if (typeof value !== 'string' || !OBJECT_ID.test(value)) throw badRequest('编号格式无效', 'invalid_id');
  return new Types.ObjectId(value);
}

/** `?public=true` (企业可见: the enterprise sees the files on its QR page); absent or `false`: staff only. */
function publicParam(value: unknown): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw badRequest('public 只能为 true 或 false', 'validation_failed');
}

export function presentAttachment(a: AttachmentInfo) {
  return {
    id: a.id,
    filename: a.filename,
    contentType: a.contentType,
    size: a.size,
    source: a.source,
    status: a.status,
    uploadedAt: a.uploadedAt,
    public: !!a.public,
    ...(a.reason ? { reason: a.reason } : {}),
  };
}

/**
 * Sends a stored file so that it can never run as a page of this site: nosniff, a Content-Disposition (pictures
 * inline, a PDF downloaded) and a sandboxing CSP. Shared with the QR page's owner downloads.
 */
export function sendAttachment(res: Response, info: AttachmentInfo, stream: Readable): void {
  const contentType = info.contentType ?? 'application/octet-stream';
  const inline = contentType !== 'application/pdf';
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', String(info.size));
  res.setHeader('Content-Disposition', contentDisposition(inline ? 'inline' : 'attachment', info.filename));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  res.setHeader('Cache-Control', 'private, no-store');
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

export function createAttachmentsRouter(ctx: AppContext, store: AttachmentStore): Router {
  const router = Router();
  const deps = {
    models: ctx.models,
    clock: ctx.clock,
    settings: cachedSettings(ctx.intakeConfig),
    onChange: ctx.onIssueChange,
  };
  router.use('/:id/attachments', ctx.requireStaff);

  router.get('/:id/attachments', async (req, res) => {
    const issueId = objectIdParam(req, 'id');
    await getVisibleIssue(ctx.models, actorOf(req), String(issueId));
    res.json({ items: (await store.list(issueId)).map(presentAttachment) });
  });

  router.post('/:id/attachments', async (req, res) => {
    const issueId = objectIdParam(req, 'id');
    const shown = publicParam(req.query.public);
    // Read only once the command has authorised the upload.
    const readFiles = async () => {
      const files: UploadedFile[] = [];
      await readMultipart(
        req,
        { fileSize: MAX_ATTACHMENT_BYTES, files: MAX_ATTACHMENTS_PER_ISSUE },
        async (part) => {
          files.push({ filename: part.filename, data: await bufferOf(part.stream) });
        },
      );
      return files;
    };
    const saved = await attachmentUploadCommand(deps, store, actorOf(req), String(issueId), readFiles, shown);
    res.status(201).json({ items: saved.map(presentAttachment) });
  });

  router.get('/:id/attachments/:fileId', async (req, res) => {
    const issueId = objectIdParam(req, 'id');
    const fileId = objectIdParam(req, 'fileId');
    await getVisibleIssue(ctx.models, actorOf(req), String(issueId));
    const found = await store.open(issueId, fileId);
    if (!found) throw notFound('附件不存在');
    const { info, stream } = found;
    if (info.status === 'failed')
      throw new AppError('attachment_failed', 410, `该附件未能从渠道下载：${info.reason ?? '原因不明'}`);
    if (!stream || !info.contentType) {
      throw new AppError('attachment_pending', 409, '该附件尚未从渠道下载，暂不能查看');
    }
    sendAttachment(res, info, stream);
  });

  return router;
}

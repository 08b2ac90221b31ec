// Issue attachments in the database with GridFS (bucket `attachments`), so they live wherever the issues live:
// the embedded server and real MongoDB alike. Each file's metadata names its issue; the issue itself carries
// only its counts, reserved with one conditional $inc before a file is written, so concurrent uploads never
// exceed the limit: `attachmentCount` for what the enterprise sent (its channels, the QR page) and
// `staffAttachmentCount` for staff uploads, each up to the limit, so neither side can use up the other's. A
// WeChat image whose bytes need the network is kept as a pending entry (its media id, no bytes) until the
// media job (server/jobs/wechat-media.job.ts) fetches it into its place or marks it failed (the job's side of
// the store is attachment-media.store.ts).
import mongoose, { Types, type Connection } from 'mongoose';
import type { Readable } from 'node:stream';
import type { InboundAttachment } from '../channels/types.ts';
import { systemClock, type Clock } from '../../shared/clock.ts';
import { AppError } from '../errors.ts';
import type { Models } from '../models/index.ts';
import { pendingMediaOps } from './attachment-media.store.ts';
import {
  attachmentErrors,
  checkAttachment,
  MAX_ATTACHMENTS_PER_ISSUE,
  refusalOf,
  safeFilename,
  type AttachmentType,
  type RefusedAttachment,
} from './attachment.rules.ts';

export const ATTACHMENT_BUCKET = 'attachments';

export type AttachmentSource = 'staff' | 'email' | 'wechat' | 'qr';

interface AttachmentMetadata {
  issueId: Types.ObjectId;
  contentType: AttachmentType | null;
  source: AttachmentSource;
  uploadedBy: string;
  /**
   * When it was attached, on the business clock (under DEMO_CLOCK the simulated one, as the timeline entry
   * beside it). Files stored before it was kept show GridFS's own uploadDate.
   */
  uploadedAt?: Date;
  status: 'stored' | 'pending' | 'failed';
  /**
   * The inbox entry of the channel message the file came with: the file follows that message when it is split
   * out of the issue it was merged into (拆分为新工单). Absent on staff uploads and files stored before it was kept.
   */
  inboxId?: Types.ObjectId;
  /** A staff file the unit chose to show the enterprise (the QR page lists it beside the owner's own). */
  public?: boolean;
  mediaId?: string;
  /** A pending file: download attempts so far, the next one (also the claim's lease), the last failure. */
  attempts?: number;
  nextAttemptAt?: Date;
  reason?: string;
}

/** What the API shows of one attachment. */
export interface AttachmentInfo {
  id: string;
  filename: string;
  contentType: AttachmentType | null;
  size: number;
  source: AttachmentSource;
  status: 'stored' | 'pending' | 'failed';
  uploadedAt: Date;
  /** A staff file shown to the enterprise on its QR page. */
  public?: boolean;
  /** Why a WeChat picture could not be fetched (failed), or why the last attempt did not (pending). */
  reason?: string;
}

export interface FileDoc {
  _id: Types.ObjectId;
  filename: string;
  length: number;
  chunkSize?: number;
  uploadDate: Date;
  metadata: AttachmentMetadata;
}

export interface NewAttachment {
  data: Buffer;
  filename?: string;
  source: AttachmentSource;
  uploadedBy: string;
  /** Shown to the enterprise (a staff upload marked 企业可见). */
  public?: boolean;
  /** The channel message it came with (AttachmentMetadata.inboxId). */
  inboxId?: Types.ObjectId;
}

function infoOf(doc: FileDoc): AttachmentInfo {
  return {
    id: String(doc._id),
    filename: doc.filename,
    contentType: doc.metadata.contentType,
    size: doc.length,
    source: doc.metadata.source,
    status: doc.metadata.status,
    uploadedAt: doc.metadata.uploadedAt ?? doc.uploadDate,
    ...(doc.metadata.public ? { public: true } : {}),
    ...(doc.metadata.reason ? { reason: doc.metadata.reason } : {}),
  };
}

/** The issue's count a file of this source takes a slot of. */
export const countField = (source: AttachmentSource) =>
  source === 'staff' ? 'staffAttachmentCount' : 'attachmentCount';

export function createAttachmentStore(conn: Connection, models: Models, clock: Clock = systemClock) {
  const db = conn.db;
  if (!db) throw new Error('createAttachmentStore: the connection is not open');
  // mongoose's own driver copy: its GridFSBucket recognises that driver's errors (a second copy of `mongodb`
  // would not, and its index bootstrap would silently fail).
  const bucket = new mongoose.mongo.GridFSBucket(db, { bucketName: ATTACHMENT_BUCKET });
  const files = db.collection<FileDoc>(`${ATTACHMENT_BUCKET}.files`);
  const issues = models.Issue.collection;

  /** Takes one of the issue's attachment slots, or refuses when the issue is full (or does not exist). */
  async function reserveSlot(issueId: Types.ObjectId, source: AttachmentSource): Promise<void> {
    const count = countField(source);
    const res = await issues.updateOne(
      {
        _id: issueId,
        $or: [{ [count]: { $exists: false } }, { [count]: { $lt: MAX_ATTACHMENTS_PER_ISSUE } }],
      },
      { $inc: { [count]: 1 } },
    );
    if (res.matchedCount === 0) {
      const exists = await issues.countDocuments({ _id: issueId }, { limit: 1 });
      throw exists ? attachmentErrors.limit() : new AppError('not_found', 404, '资源不存在');
    }
  }
  const releaseSlot = (issueId: Types.ObjectId, source: AttachmentSource) =>
    issues.updateOne({ _id: issueId }, { $inc: { [countField(source)]: -1 } });

  async function upload(filename: string, meta: AttachmentMetadata, data: Buffer) {
    const stream = bucket.openUploadStream(filename, { metadata: meta });
    await new Promise<void>((resolve, reject) => {
      stream.once('finish', () => resolve());
      stream.once('error', reject);
      stream.end(data);
    });
    return infoOf({
      _id: stream.id as Types.ObjectId,
      filename,
      length: data.length,
      uploadDate: stream.gridFSFile?.uploadDate ?? new Date(0),
      metadata: meta,
    });
  }

  async function write(issueId: Types.ObjectId, filename: string, meta: AttachmentMetadata, data: Buffer) {
    await ready();
    await reserveSlot(issueId, meta.source);
    try {
      return await upload(filename, { ...meta, uploadedAt: clock.now() }, data);
    } catch (err) {
      await releaseSlot(issueId, meta.source);
      throw err;
    }
  }

  const chunks = db.collection(`${ATTACHMENT_BUCKET}.chunks`);

  // The bucket's indexes, built once on first use (createIndex of an existing index is a no-op).
  let indexed: Promise<unknown> | undefined;
  const ready = () =>
    (indexed ??= Promise.all([
      files.createIndex({ 'metadata.issueId': 1, uploadDate: 1 }),
      files.createIndex({ filename: 1, uploadDate: 1 }),
      // The media job's claims: pending files by their next attempt.
      files.createIndex({ 'metadata.status': 1, 'metadata.nextAttemptAt': 1 }),
      chunks.createIndex({ files_id: 1, n: 1 }, { unique: true }),
    ]).catch((err: unknown) => {
      indexed = undefined;
      throw err;
    }));

  return {
    /** Stores checked bytes on an issue (type by magic bytes, size, the per-issue limit). */
    async save(issueId: Types.ObjectId, file: NewAttachment): Promise<AttachmentInfo> {
      const contentType = checkAttachment(file.data);
      const meta = {
        issueId,
        contentType,
        source: file.source,
        uploadedBy: file.uploadedBy,
        status: 'stored' as const,
        ...(file.public ? { public: true } : {}),
        ...(file.inboxId ? { inboxId: file.inboxId } : {}),
      };
      return write(issueId, safeFilename(file.filename, contentType), meta, file.data);
    },

    /** Records a file the channel only referenced (a WeChat media id): listed as pending, no bytes yet. */
    async savePending(
      issueId: Types.ObjectId,
      mediaId: string,
      source: AttachmentSource,
      uploadedBy: string,
      inboxId?: Types.ObjectId,
    ) {
      const meta = {
        issueId,
        contentType: null,
        source,
        uploadedBy,
        status: 'pending' as const,
        mediaId,
        ...(inboxId ? { inboxId } : {}),
      };
      return write(issueId, `微信图片-${mediaId.slice(0, 16)}`, meta, Buffer.alloc(0));
    },

    ...pendingMediaOps(files, chunks, ready),

    async list(issueId: Types.ObjectId): Promise<AttachmentInfo[]> {
      await ready();
      const docs = await files.find({ 'metadata.issueId': issueId }).sort({ uploadDate: 1 }).toArray();
      return docs.map(infoOf);
    },

    /**
     * The files a channel message brought to `from` (the issue it was merged into) moved to `to` (the issue it
     * was split out into); the message's files `to` holds, with their sources (whose counts they take). Asked
     * again after a split cut short, it moves what is left and answers them all.
     */
    async moveMessageFiles(inboxId: Types.ObjectId, from: Types.ObjectId, to: Types.ObjectId) {
      await ready();
      await files.updateMany(
        { 'metadata.issueId': from, 'metadata.inboxId': inboxId },
        { $set: { 'metadata.issueId': to } },
      );
      const docs = await files
        .find({ 'metadata.issueId': to, 'metadata.inboxId': inboxId })
        .sort({ uploadDate: 1 })
        .toArray();
      return docs.map(infoOf);
    },

    /** One stored file of the issue with a stream of its bytes, or null (unknown, or another issue's). */
    async open(
      issueId: Types.ObjectId,
      fileId: Types.ObjectId,
    ): Promise<{ info: AttachmentInfo; stream?: Readable } | null> {
      const doc = await files.findOne({ _id: fileId, 'metadata.issueId': issueId });
      if (!doc) return null;
      const info = infoOf(doc);
      return info.status === 'stored' ? { info, stream: bucket.openDownloadStream(fileId) } : { info };
    },

    /**
     * The files a channel message brought, stored best effort: a file that breaks a rule is refused with a
     * short reason for staff (the issue itself is already taken in and must not be lost over an attachment).
     */
    async storeInbound(
      issueId: Types.ObjectId,
      attachments: readonly InboundAttachment[],
      source: AttachmentSource,
      /** The message's inbox entry (a file the owner adds on the QR page to an issue has none). */
      inboxId?: Types.ObjectId,
    ) {
      const stored: AttachmentInfo[] = [];
      const skipped: RefusedAttachment[] = [];
      let full = false;
      for (const a of attachments) {
        try {
          // Once the issue is full, the rest are refused without a round trip each (a mail may carry many).
          if (full) {
            if (a.data) checkAttachment(a.data);
            throw attachmentErrors.limit();
          }
          if (a.data)
            stored.push(
              await this.save(issueId, {
                data: a.data,
                filename: a.filename,
                source,
                uploadedBy: source,
                inboxId,
              }),
            );
          else if (a.mediaId)
            stored.push(await this.savePending(issueId, a.mediaId, source, source, inboxId));
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          full ||= err.code === 'attachment_limit';
          skipped.push(refusalOf(a.filename, err));
        }
      }
      return { stored, skipped };
    },
  };
}

export type AttachmentStore = ReturnType<typeof createAttachmentStore>;

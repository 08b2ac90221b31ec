// Issue attachments in the database with GridFS (bucket `attachments`), so they live wherever the issues live:
// the embedded server and real MongoDB alike. Each file's metadata names its issue; the issue itself carries
// only its counts, reserved with one conditional $inc before a file is written, so concurrent uploads never
// exceed the limit: `attachmentCount` for what the enterprise sent (its channels, the QR page) and
// `staffAttachmentCount` for staff uploads, each up to the limit, so neither side can use up the other's. A
// WeChat image whose bytes need the network is kept as a pending entry (its media id, no bytes) until the
// media job (server/jobs/wechat-media.job.ts) fetches it into its place or marks it failed.
import mongoose, { Types, type Connection } from 'mongoose';
import type { Readable } from 'node:stream';
import type { InboundAttachment } from '../channels/types.ts';
import { systemClock, type Clock } from '../../shared/clock.ts';
import { AppError } from '../errors.ts';
import type { Models } from '../models/index.ts';
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

/** A pending WeChat picture claimed for a download attempt (wechat-media.job.ts). */
export interface PendingMedia {
  id: Types.ObjectId;
  issueId: Types.ObjectId;
  mediaId: string;
  source: AttachmentSource;
  attempts: number;
  receivedAt: Date;
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

interface FileDoc {
  _id: Types.ObjectId;
  filename: string;
  length: number;
  chunkSize?: number;
  uploadDate: Date;
  metadata: AttachmentMetadata;
}

/** GridFS's default chunk size (the driver's), used for chunks written directly (a fetched picture). */
const CHUNK_BYTES = 255 * 1024;

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

  /** Pending WeChat pictures whose next attempt is due (a new one has no next attempt yet). */
  const duePending = (now: Date) => ({
    'metadata.status': 'pending' as const,
    'metadata.mediaId': { $exists: true },
    $or: [{ 'metadata.nextAttemptAt': null }, { 'metadata.nextAttemptAt': { $lte: now } }],
  });
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

    /**
     * Pending WeChat pictures due for a download, each claimed for `leaseMs` by moving its next attempt (so
     * two processes never fetch the same one at once, and a crashed attempt is retried after the lease).
     */
    async claimPending(now: Date, limit: number, leaseMs: number): Promise<PendingMedia[]> {
      await ready();
      const due = await files.find(duePending(now), { limit }).toArray();
      const claimed: PendingMedia[] = [];
      for (const doc of due) {
        const res = await files.updateOne(
          { _id: doc._id, ...duePending(now) },
          { $set: { 'metadata.nextAttemptAt': new Date(now.getTime() + leaseMs) } },
        );
        if (res.modifiedCount !== 1) continue;
        const m = doc.metadata;
        claimed.push({
          id: doc._id,
          issueId: m.issueId,
          mediaId: String(m.mediaId),
          source: m.source,
          attempts: m.attempts ?? 0,
          receivedAt: doc.uploadDate,
        });
      }
      return claimed;
    },

    /**
     * A pending picture's bytes, checked like any upload and written into its place: the same id (a page
     * showing it as 待下载 finds it stored), the issue's slot already taken. The chunks first (a crashed
     * attempt's leftovers cleared), then one conditional write turns the entry into a stored file; false when
     * the entry was no longer pending (another process stored or failed it; the chunks of a failed one are
     * removed again).
     */
    async fillPending(p: PendingMedia, data: Buffer): Promise<boolean> {
      const contentType = checkAttachment(data);
      await chunks.deleteMany({ files_id: p.id });
      const parts = [];
      for (let n = 0; n * CHUNK_BYTES < data.length; n++)
        parts.push({
          files_id: p.id,
          n,
          data: new mongoose.mongo.Binary(data.subarray(n * CHUNK_BYTES, (n + 1) * CHUNK_BYTES)),
        });
      await chunks.insertMany(parts);
      const res = await files.updateOne(
        { _id: p.id, 'metadata.status': 'pending' },
        {
          $set: {
            filename: safeFilename(`微信图片-${p.mediaId.slice(0, 16)}`, contentType),
            length: data.length,
            chunkSize: CHUNK_BYTES,
            'metadata.status': 'stored',
            'metadata.contentType': contentType,
            'metadata.attempts': p.attempts + 1,
          },
          $unset: { 'metadata.nextAttemptAt': '', 'metadata.reason': '' },
        },
      );
      if (res.modifiedCount === 1) return true;
      const now = await files.findOne({ _id: p.id }, { projection: { 'metadata.status': 1 } });
      if (now?.metadata.status !== 'stored') await chunks.deleteMany({ files_id: p.id });
      return false;
    },

    /** A picture that cannot be fetched: listed as failed with the reason, never tried again. */
    async failPending(p: PendingMedia, reason: string): Promise<void> {
      await files.updateOne(
        { _id: p.id, 'metadata.status': 'pending' },
        {
          $set: {
            'metadata.status': 'failed',
            'metadata.reason': reason.slice(0, 200),
            'metadata.attempts': p.attempts + 1,
          },
        },
      );
    },

    /** Another try at `nextAttemptAt`. */
    async deferPending(p: PendingMedia, nextAttemptAt: Date, reason: string): Promise<void> {
      await files.updateOne(
        { _id: p.id, 'metadata.status': 'pending' },
        {
          $set: {
            'metadata.nextAttemptAt': nextAttemptAt,
            'metadata.reason': reason.slice(0, 200),
            'metadata.attempts': p.attempts + 1,
          },
        },
      );
    },

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

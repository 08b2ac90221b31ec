// The WeChat pictures whose bytes need the network: the store (attachment.store.ts) keeps each as a pending
// entry (its media id, no bytes) in the issue's slot, and the media job (server/jobs/wechat-media.job.ts) claims
// the due ones with a lease, writes the fetched bytes into the entry's place, or defers or fails it.
import mongoose, { type mongo, type Types } from 'mongoose';
import { checkAttachment, safeFilename } from './attachment.rules.ts';
import type { AttachmentSource, FileDoc } from './attachment.store.ts';

/** A pending WeChat picture claimed for a download attempt (wechat-media.job.ts). */
export interface PendingMedia {
  id: Types.ObjectId;
  issueId: Types.ObjectId;
  mediaId: string;
  source: AttachmentSource;
  attempts: number;
  receivedAt: Date;
}

/** GridFS's default chunk size (the driver's), used for chunks written directly (a fetched picture). */
const CHUNK_BYTES = 255 * 1024;

/** Pending WeChat pictures whose next attempt is due (a new one has no next attempt yet). */
const duePending = (now: Date) => ({
  'metadata.status': 'pending' as const,
  'metadata.mediaId': { $exists: true },
  $or: [{ 'metadata.nextAttemptAt': null }, { 'metadata.nextAttemptAt': { $lte: now } }],
});

/** The media job's operations on the bucket's files and chunks (`ready` builds their indexes once). */
export function pendingMediaOps(
  files: mongo.Collection<FileDoc>,
  chunks: mongo.Collection,
  ready: () => Promise<unknown>,
) {
  return {
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
  };
}

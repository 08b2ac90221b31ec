// Carries the QR page's live events between app processes (issue 8). The embedded server has no change streams,
// so, like the realtime tokenVersion check, each process polls: one small ticker document per enterprise whose
// page is open somewhere (`{_id: enterpriseId, seq, watchedUntil}`). A process with an open stream keeps its
// enterprise's `watchedUntil` ahead; every process learns from its poll which enterprises are watched, and only
// a public change of a watched enterprise bumps its `seq` (coalesced into one bulk write), so intake pays nothing
// for the thousands of enterprises nobody is looking at. A stream hears `changed` when the seq moved by more than
// its own process wrote, within one poll interval. Liveness runs on real time, never the business clock.
import type { Collection } from 'mongodb';
import type { Models } from '../models/index.ts';

export const TICKS_COLLECTION = 'qr_live_ticks';

interface TickDoc {
  _id: string;
  seq?: number;
  watchedUntil: Date;
  /** When the enterprise's printed code was last replaced: streams opened before it close everywhere. */
  revokedAt?: Date;
}

export interface QrLiveTickerOptions {
  models: Models;
  /** How long one watch lasts without renewal (renewed every third of it while a stream is open). */
  watchMs?: number;
  nowMs?: () => number;
}

export interface QrLiveTicker {
  /** A stream opened here: other processes start writing this enterprise's ticks (from their next poll). */
  watch(enterpriseId: string): Promise<void>;
  /** A public change committed here. */
  changed(enterpriseId: string): void;
  /** The enterprise's code was replaced here: every process closes the streams opened with the old one. */
  revoked(enterpriseId: string): Promise<void>;
  /**
   * Writes pending ticks, renews this process's watches, and returns which of `local` moved elsewhere, and
   * when any of them had its code replaced (real time, ms).
   */
  poll(local: readonly string[]): Promise<{ moved: string[]; revoked: [string, number][] }>;
}

export function createQrLiveTicker(opts: QrLiveTickerOptions): QrLiveTicker {
  const watchMs = opts.watchMs ?? 60_000;
  const nowMs = opts.nowMs ?? Date.now;
  const ticks = (): Collection<TickDoc> =>
    opts.models.Issue.db.collection(TICKS_COLLECTION) as unknown as Collection<TickDoc>;
  /** Enterprises watched by any process, as of the last poll. */
  let watched = new Set<string>();
  /** The seq last seen per enterprise with a stream here. */
  const seen = new Map<string, number>();
  /** Ticks to write, and ticks written by this process since the last poll. */
  const pending = new Map<string, number>();
  const mine = new Map<string, number>();
  let flushing: Promise<void> | null = null;
  let renewedAt = 0;
  let indexed = false;

  async function flush(): Promise<void> {
    if (!pending.size) return;
    const batch = [...pending];
    pending.clear();
    await ticks().bulkWrite(
      batch.map(([id, n]) => ({ updateOne: { filter: { _id: id }, update: { $inc: { seq: n } } } })),
      { ordered: false },
    );
    for (const [id, n] of batch) mine.set(id, (mine.get(id) ?? 0) + n);
  }

  function scheduleFlush(): void {
    flushing ??= new Promise<void>((resolve) => setTimeout(resolve, 20))
      .then(flush)
      .catch(() => undefined)
      .finally(() => (flushing = null));
  }

  return {
    async watch(enterpriseId) {
      const doc = await ticks().findOneAndUpdate(
        { _id: enterpriseId },
        { $set: { watchedUntil: new Date(nowMs() + watchMs) } },
        { upsert: true, returnDocument: 'after', projection: { seq: 1 } },
      );
      watched.add(enterpriseId);
      if (!seen.has(enterpriseId)) seen.set(enterpriseId, doc?.seq ?? 0);
    },
    changed(enterpriseId) {
      if (!watched.has(enterpriseId)) return;
      pending.set(enterpriseId, (pending.get(enterpriseId) ?? 0) + 1);
      scheduleFlush();
    },
    async revoked(enterpriseId) {
      // Nobody watching means no stream anywhere: nothing to write.
      await ticks().updateOne({ _id: enterpriseId }, { $set: { revokedAt: new Date(nowMs()) } });
    },
    async poll(local) {
      await flushing;
      await flush();
      const now = nowMs();
      if (!indexed) {
        await ticks().createIndex({ watchedUntil: 1 });
        indexed = true;
      }
      if (local.length && now - renewedAt >= watchMs / 3) {
        await ticks().updateMany(
          { _id: { $in: [...local] } },
          { $set: { watchedUntil: new Date(now + watchMs) } },
        );
        renewedAt = now;
      }
      const docs = await ticks()
        .find({ watchedUntil: { $gt: new Date(now) } }, { projection: { seq: 1, revokedAt: 1 } })
        .toArray();
      watched = new Set(docs.map((d) => d._id));
      const byId = new Map(docs.map((d) => [d._id, d]));
      const moved: string[] = [];
      const revoked: [string, number][] = [];
      for (const id of local) {
        const doc = byId.get(id);
        if (doc === undefined) continue;
        if (doc.revokedAt) revoked.push([id, doc.revokedAt.getTime()]);
        const seq = doc.seq ?? 0;
        const before = seen.get(id);
        if (before !== undefined && seq - before > (mine.get(id) ?? 0)) moved.push(id);
        seen.set(id, seq);
      }
      mine.clear();
      for (const id of seen.keys()) if (!local.includes(id)) seen.delete(id);
      return { moved, revoked };
    },
  };
}

// Fetches the pictures followers sent by WeChat (issue 6): a WeChat message carries only a media id, which the
// intake stores as a pending attachment; this job downloads each one through the official account's API into
// its place, every minute and at start-up. A failed download is retried with backoff until WeChat's three-day
// retention of temporary media has passed; an expired or unknown media id, or a file the attachment rules
// refuse, is marked failed with the reason (staff see it on the issue).
import { DAY_MS } from '../../shared/clock.ts';
import type { Clock } from '../../shared/clock.ts';
import type { AttachmentStore, PendingMedia } from '../attachments/attachment.store.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { MediaGoneError, type WechatMediaClient } from '../wechat/wechat-media.ts';
import { createMinuteJob, type MinuteJob } from './minute-job.ts';

/** WeChat keeps temporary media this long after the message. */
export const MEDIA_RETENTION_MS = 3 * DAY_MS;
/** How long one attempt holds its claim (a crashed attempt is retried after it). */
const LEASE_MS = 5 * 60_000;
const BATCH = 20;
const BASE_DELAY_MS = 60_000;
const MAX_DELAY_MS = 60 * 60_000;

export interface MediaReport {
  stored: number;
  retried: number;
  failed: number;
}

export interface MediaJobDeps {
  store: AttachmentStore;
  media: WechatMediaClient;
  clock: Clock;
  logger: Logger;
}

const delayOf = (attempts: number) => Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempts - 1));

async function fetchOne(deps: MediaJobDeps, p: PendingMedia, report: MediaReport, now: Date): Promise<void> {
  try {
    await deps.store.fillPending(p, await deps.media.download(p.mediaId));
    report.stored += 1;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const next = new Date(now.getTime() + delayOf(p.attempts + 1));
    const gone = err instanceof MediaGoneError || err instanceof AppError;
    if (gone || next.getTime() > p.receivedAt.getTime() + MEDIA_RETENTION_MS) {
      await deps.store.failPending(p, gone ? reason : `超过微信素材保存期限仍未下载成功：${reason}`);
      report.failed += 1;
    } else {
      await deps.store.deferPending(p, next, reason);
      report.retried += 1;
    }
    deps.logger.warn(
      { attachmentId: String(p.id), attempts: p.attempts + 1, err: reason },
      'wechat media download failed',
    );
  }
}

/** One pass: every due pending picture, a batch at a time. */
export async function fetchWechatMedia(deps: MediaJobDeps): Promise<MediaReport> {
  const report: MediaReport = { stored: 0, retried: 0, failed: 0 };
  for (;;) {
    const now = deps.clock.now();
    const claimed = await deps.store.claimPending(now, BATCH, LEASE_MS);
    for (const p of claimed) await fetchOne(deps, p, report, now);
    if (claimed.length < BATCH) return report;
  }
}

export function createWechatMediaScheduler(deps: MediaJobDeps): MinuteJob<MediaReport> {
  return createMinuteJob({
    name: 'wechat media download',
    logger: deps.logger,
    run: () => fetchWechatMedia(deps),
    onReport: (r) => {
      if (r.stored || r.failed) deps.logger.info(r, 'wechat media fetched');
    },
  });
}

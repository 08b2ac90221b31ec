// Fetches the pictures followers sent by WeChat (issue 6): a WeChat message carries only a media id, which the
// intake stores as a pending attachment; this job downloads each one through the official account's API into
// its place, every minute and at start-up. A failed download is retried with backoff while WeChat keeps the
// media (server/wechat/media-retry.ts); an expired or unknown media id, or a file the attachment rules refuse,
// is marked failed with the reason (staff see it on the issue). While no access token can be had the pass
// stops, so a wrong secret costs one token request a minute, not one per picture.
//
// Its clock is WeChat's, the real one (main.ts passes systemClock even when the demo clock is simulated): the
// retention is counted from when the pending entry was stored, which GridFS dates by the wall clock.
import type { Clock } from '../../shared/clock.ts';
import type { AttachmentStore } from '../attachments/attachment.store.ts';
import type { PendingMedia } from '../attachments/attachment-media.store.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { planMediaRetry } from '../wechat/media-retry.ts';
import { MediaGoneError, type WechatMediaClient } from '../wechat/wechat-media.ts';
import { WechatTokenError } from '../wechat/wechat-token.ts';
import { createMinuteJob, type MinuteJob } from './minute-job.ts';

/** How long one attempt holds its claim (a crashed attempt is retried after it). */
export const MEDIA_LEASE_MS = 5 * 60_000;
const BATCH = 20;

export interface MediaReport {
  stored: number;
  retried: number;
  failed: number;
}

export interface MediaJobDeps {
  store: Pick<AttachmentStore, 'claimPending' | 'fillPending' | 'failPending' | 'deferPending'>;
  media: WechatMediaClient;
  clock: Clock;
  logger: Logger;
}

/** A failure no retry can fix: the media is gone, or its bytes break the attachment rules. */
const isPermanent = (err: unknown) =>
  err instanceof MediaGoneError || (err instanceof AppError && err.code !== 'attachment_empty');

/** One download; false when the pass should stop (no access token). */
async function fetchOne(deps: MediaJobDeps, p: PendingMedia, report: MediaReport): Promise<boolean> {
  try {
    // false: another process got there first (after this claim's lease ran out).
    if (await deps.store.fillPending(p, await deps.media.download(p.mediaId))) report.stored += 1;
    return true;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const plan = planMediaRetry({
      attempts: p.attempts + 1,
      receivedAt: p.receivedAt,
      now: deps.clock.now(),
      reason,
      permanent: isPermanent(err),
    });
    if (plan.kind === 'fail') {
      await deps.store.failPending(p, plan.reason);
      report.failed += 1;
    } else {
      await deps.store.deferPending(p, plan.at, plan.reason);
      report.retried += 1;
    }
    deps.logger.warn(
      { attachmentId: String(p.id), attempts: p.attempts + 1, outcome: plan.kind, err: reason },
      'wechat media download failed',
    );
    return !(err instanceof WechatTokenError);
  }
}

/** One pass: every due pending picture, a batch at a time. */
export async function fetchWechatMedia(deps: MediaJobDeps): Promise<MediaReport> {
  const report: MediaReport = { stored: 0, retried: 0, failed: 0 };
  for (;;) {
    const claimed = await deps.store.claimPending(deps.clock.now(), BATCH, MEDIA_LEASE_MS);
    // The rest of a batch cut short stays claimed: it comes back when its lease ends.
    for (const p of claimed) if (!(await fetchOne(deps, p, report))) return report;
    if (claimed.length < BATCH) return report;
  }
}

export function createWechatMediaScheduler(deps: MediaJobDeps): MinuteJob<MediaReport> {
  return createMinuteJob({
    name: 'wechat media download',
    logger: deps.logger,
    run: () => fetchWechatMedia(deps),
    onReport: (r) => {
      if (r.stored || r.failed || r.retried) deps.logger.info(r, 'wechat media fetched');
    },
  });
}

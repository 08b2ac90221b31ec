// Delivers the outbox (issue 8). Due rows (pending and due, or a `sending` claim whose lease ran out) are
// claimed a batch at a time by one conditional update under a claim id, so several workers in several
// processes deliver a row once, and a burst of rows costs a few commands, not three per row. A failed
// delivery goes back to `pending` with exponential backoff (base × 2^(tries−1), capped), and after
// maxAttempts tries it is `dead` and shows in GET /api/outbox?status=dead for an admin to retry. A provider
// outage therefore only delays delivery: with the defaults (30 s doubling to an hourly cap, 40 tries) a day
// without the gateway loses nothing. Backoff runs on the business clock, so the demo clock drives it too.
// Rows the notifier inserted already claimed (deliverClaimed) skip the claim: delivering a new change's rows
// costs the in-app insert and the outcomes' write.
import type { Collection } from 'mongodb';
import { Types } from 'mongoose';
import { batchedInsertMany } from '../db/batched-ops.ts';
import { coalesce } from '../db/coalesce.ts';
import type { Clock } from '../../shared/clock.ts';
import type { Logger } from '../logger.ts';
import type { Models } from '../models/index.ts';
import type { OutboxDoc } from '../models/outbox.model.ts';
import type { EmailSender } from './email.ts';
import type { PushbackSenders } from './pushback.ts';
import type { SmsSender } from './sms.ts';
import { PermanentDeliveryError } from './delivery-errors.ts';
import type { WechatMessageSender } from './wechat-custom.ts';
import { isDuplicateKey } from '../db/duplicate-key.ts';

export interface InAppNotice {
  id: string;
  userId: string;
  event: string;
  title: string;
  text: string;
  issueId: string | null;
  issueNumber: string | null;
  createdAt: Date;
}

export interface OutboxSenders {
  sms?: SmsSender;
  email?: EmailSender;
  /** The official account's customer-service message. */
  wechat?: WechatMessageSender;
  pushback?: PushbackSenders;
  /** Hears each in-app notification once stored (realtime push to the user's sockets). */
  onInApp?: (notice: InAppNotice) => void;
}

export interface OutboxWorkerOptions {
  models: Models;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  senders: OutboxSenders;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  leaseMs?: number;
}

export interface DeliveryReport {
  sent: number;
  retried: number;
  dead: number;
}

export interface OutboxWorker {
  /** Delivers every row due now (at most `limit`). */
  runOnce(limit?: number): Promise<DeliveryReport>;
  /** Polls every `intervalMs` (real time) until stopped; kick() runs a pass at once. */
  start(intervalMs?: number): void;
  kick(): void;
  /**
   * Delivers rows the caller inserted already claimed (`sending` under a lease, the notifier's deliverNow):
   * no claim commands; the rows handed over at the same moment go as one claim (one in-app insert, one bulk
   * write of the outcomes). Resolves once their outcomes are written.
   */
  deliverClaimed(rows: OutboxDoc[]): Promise<void>;
  /** How long a claim holds its rows (a row whose lease ran out is due again for any worker). */
  readonly leaseMs: number;
  stop(): Promise<void>;
}

export const DEFAULT_MAX_ATTEMPTS = 40;
/** Rows claimed, delivered and settled together. */
const CLAIM_BATCH = 100;
export const BASE_DELAY_MS = 30_000;
export const MAX_DELAY_MS = 60 * 60_000;

/** Wait before the next try after `attempts` failed ones. */
export function backoffMs(attempts: number, base = BASE_DELAY_MS, cap = MAX_DELAY_MS): number {
  return Math.min(cap, base * 2 ** Math.max(0, attempts - 1));
}

export function createOutboxWorker(opts: OutboxWorkerOptions): OutboxWorker {
  const { models, clock, logger, senders } = opts;
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const leaseMs = opts.leaseMs ?? 2 * 60_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<DeliveryReport> | null = null;
  let queued: Promise<DeliveryReport> | null = null;

  /**
   * Claims up to `limit` due rows (pending and due, or `sending` whose lease ran out) in three commands
   * whatever their number: read the due ids, mark them `sending` under this pass's claim only where they are
   * still due (another worker may have taken some meanwhile), and read back the ones this claim got.
   */
  async function claim(now: Date, limit: number): Promise<OutboxDoc[]> {
    const outbox = models.Outbox.collection;
    const due = {
      $or: [
        { status: 'pending' as const, nextAttemptAt: { $lte: now } },
        { status: 'sending' as const, lockedUntil: { $lte: now } },
      ],
    };
    const ids = await outbox
      .find(due, { projection: { _id: 1 }, sort: { nextAttemptAt: 1 }, limit })
      .toArray();
    if (!ids.length) return [];
    const claimId = new Types.ObjectId();
    const lockedUntil = new Date(now.getTime() + leaseMs);
    const claimed = { _id: { $in: ids.map((d) => d._id) } };
    await outbox.updateMany({ ...claimed, ...due }, { $set: { status: 'sending', lockedUntil, claimId } });
    return (await outbox
      .find({ ...claimed, claimId }, { sort: { nextAttemptAt: 1 } })
      .toArray()) as unknown as OutboxDoc[];
  }

  /** The in-app rows of a claim, stored in one insert; a duplicate was delivered by an earlier try. */
  async function deliverInApp(rows: OutboxDoc[], now: Date): Promise<Map<OutboxDoc, unknown>> {
    const docs = rows.map((row) => ({
      _id: new Types.ObjectId(),
      userId: new Types.ObjectId(row.recipient.id),
      outboxId: row._id,
      event: row.event,
      title: row.title,
      text: row.text,
      issueId: row.issueId,
      issueNumber: row.issueNumber,
      readAt: null,
      createdAt: now,
    }));
    const failed = new Map<OutboxDoc, unknown>();
    const outcomes = await batchedInsertMany(models.Notification.collection as unknown as Collection, docs);
    outcomes.forEach((o, i) => {
      const row = rows[i];
      if (!o.ok) {
        if (!isDuplicateKey(o.error)) failed.set(row, o.error);
        return;
      }
      senders.onInApp?.({
        id: String(docs[i]._id),
        userId: row.recipient.id,
        event: row.event,
        title: row.title,
        text: row.text,
        issueId: row.issueId ? String(row.issueId) : null,
        issueNumber: row.issueNumber,
        createdAt: now,
      });
    });
    return failed;
  }

  async function deliver(row: OutboxDoc): Promise<string | void> {
    switch (row.channel) {
      case 'inapp':
        throw new Error('in-app rows are delivered together (deliverInApp)');
      case 'sms':
        if (!senders.sms) throw new PermanentDeliveryError('没有配置短信通道');
        return senders.sms.send(row.recipient.address ?? '', row.text);
      case 'email':
        if (!senders.email) throw new PermanentDeliveryError('没有配置邮件通道');
        return senders.email.send(
          row.recipient.address ?? '',
          row.replyTo ? `Re: ${row.title}` : row.title,
          row.text,
          row.replyTo ?? undefined,
        );
      case 'wechat':
        if (!senders.wechat) throw new PermanentDeliveryError('没有配置微信公众号客服消息');
        return senders.wechat.send(row.recipient.address ?? '', row.text);
      case 'pushback': {
        const sender = senders.pushback?.[row.recipient.id as keyof PushbackSenders];
        if (!sender) throw new PermanentDeliveryError(`没有配置 ${row.recipient.id} 渠道的回传`);
        return sender.send({
          externalId: row.recipient.address ?? '',
          issueNumber: row.issueNumber ?? '',
          event: row.event,
          text: row.text,
          at: row.createdAt,
        });
      }
    }
  }

  type SettleOp = Parameters<typeof models.Outbox.collection.bulkWrite>[0][number];

  /** The write that records a delivery's outcome (all of a claim's go in one bulk write). */
  function settle(
    row: OutboxDoc,
    now: Date,
    err: unknown,
    id: string | void,
    report: DeliveryReport,
  ): SettleOp {
    const mine = { _id: row._id, status: 'sending' as const, lockedUntil: row.lockedUntil };
    if (!err) {
      report.sent += 1;
      return {
        updateOne: {
          filter: mine,
          update: {
            $set: {
              status: 'sent',
              sentAt: now,
              lockedUntil: null,
              providerId: id ? String(id) : null,
              lastError: null,
            },
            $unset: { claimId: '' },
            $inc: { attempts: 1 },
          },
        },
      };
    }
    const attempts = row.attempts + 1;
    const dead = attempts >= maxAttempts || err instanceof PermanentDeliveryError;
    if (dead) report.dead += 1;
    else report.retried += 1;
    const message = err instanceof Error ? err.message : String(err);
    logger.warn(
      { outboxId: String(row._id), channel: row.channel, attempts, dead, err: message },
      'delivery failed',
    );
    return {
      updateOne: {
        filter: mine,
        update: {
          $set: {
            status: dead ? 'dead' : 'pending',
            attempts,
            lockedUntil: null,
            lastError: message.slice(0, 500),
            nextAttemptAt: new Date(now.getTime() + backoffMs(attempts, opts.baseDelayMs, opts.maxDelayMs)),
          },
          $unset: { claimId: '' },
        },
      },
    };
  }

  /** Delivers one claim: in-app rows in one insert, the others one send each, outcomes in one bulk write. */
  async function deliverClaim(rows: OutboxDoc[], now: Date, report: DeliveryReport): Promise<void> {
    const inApp = rows.filter((r) => r.channel === 'inapp');
    const inAppFailed = inApp.length ? await deliverInApp(inApp, now) : new Map<OutboxDoc, unknown>();
    const ops: SettleOp[] = [];
    for (const row of rows) {
      let error: unknown = null;
      let id: string | void = undefined;
      if (row.channel === 'inapp') error = inAppFailed.get(row) ?? null;
      else {
        try {
          id = await deliver(row);
        } catch (err) {
          error = err ?? new Error('delivery failed');
        }
      }
      ops.push(settle(row, now, error, id, report));
    }
    await models.Outbox.collection.bulkWrite(ops, { ordered: false });
  }

  async function pass(limit: number): Promise<DeliveryReport> {
    const report: DeliveryReport = { sent: 0, retried: 0, dead: 0 };
    const now = clock.now();
    for (let n = 0; n < limit;) {
      const want = Math.min(CLAIM_BATCH, limit - n);
      const rows = await claim(now, want);
      if (rows.length) await deliverClaim(rows, now, report);
      n += rows.length;
      // A short claim means nothing more is due (or others hold it): no extra read to find that out.
      if (rows.length < want) break;
    }
    return report;
  }

  /** One pass at a time per process; a call during a pass gets the (single) pass queued after it. */
  function runOnce(limit = 500): Promise<DeliveryReport> {
    if (!running) {
      running = pass(limit).finally(() => {
        running = null;
      });
      return running;
    }
    queued ??= running.then(
      () => ((queued = null), runOnce(limit)),
      () => ((queued = null), runOnce(limit)),
    );
    return queued;
  }

  const deliverTogether = coalesce<OutboxDoc[], void>(async (groups) => {
    const report: DeliveryReport = { sent: 0, retried: 0, dead: 0 };
    await deliverClaim(groups.flat(), clock.now(), report);
    return groups.map(() => ({ ok: true, value: undefined }));
  });

  function tick(): void {
    runOnce().catch((err: unknown) => logger.error({ err }, 'outbox delivery pass failed'));
  }

  return {
    runOnce,
    start(intervalMs = 2_000) {
      if (timer) return;
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    kick: tick,
    deliverClaimed: (rows) => (rows.length ? deliverTogether(rows) : Promise.resolve()),
    leaseMs,
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}

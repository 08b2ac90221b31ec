// The raw inbox's writes and reads (server/models/inbox.model.ts). Acceptance is one insert whose unique
// (channel, externalId) index decides, atomically and across processes, whether this delivery is the first.
// Success is recorded off the request's path: the outcomes of concurrent intakes are gathered and written in
// one bulk write as soon as the event loop turns, so a burst pays one round trip for many of them, and the
// channel gets its answer without waiting for it. A crash before that write loses nothing: the entry stays
// `accepted`, and recovery (inbox-recovery.job.ts) finds the issue it already became and records it. A dead
// letter a clerk registers by hand (人工登记) is claimed first, and every way of reopening or discarding a failed
// entry honours the claim, so it becomes one issue whoever else acts on it meanwhile.
import { isUtf8 } from 'node:buffer';
import type { Collection } from 'mongodb';
import { Types } from 'mongoose';
import { batchedInsertOne } from '../db/batched-ops.ts';
import type { Models } from '../models/index.ts';
import { RAW_TEXT_LIMIT } from '../models/inbox.model.ts';
import type {
  InboxEntryDoc,
  InboxOrigin,
  InboxOutcome,
  InboxRegistration,
  RawPayload,
  RegistrationClaim,
  StoredInboundMessage,
} from '../models/inbox.model.ts';
import { notReparsable } from '../channels/json-channels.ts';
import type { InboundMessage } from '../channels/types.ts';
import { isDuplicateKey } from '../db/duplicate-key.ts';

export interface ProcessedOutcome {
  issueId: Types.ObjectId;
  number: string;
  outcome: InboxOutcome;
}

export interface InboxRecorder {
  /** Records a processed entry; written with the others of this turn of the event loop. */
  processed(id: Types.ObjectId, result: ProcessedOutcome, now: Date): void;
  /** Resolves once everything recorded so far is written (tests, shutdown). */
  flush(): Promise<void>;
}

const recorders = new WeakMap<Models, InboxRecorder>();

/** One recorder per set of models (per app), so every way in shares the batching. */
export function inboxRecorderFor(models: Models, onError?: (err: unknown) => void): InboxRecorder {
  let recorder = recorders.get(models);
  if (!recorder) {
    recorder = createInboxRecorder(models, onError);
    recorders.set(models, recorder);
  }
  return recorder;
}

export function createInboxRecorder(models: Models, onError?: (err: unknown) => void): InboxRecorder {
  type Op = Parameters<typeof models.InboxEntry.collection.bulkWrite>[0][number];
  let pending: Op[] = [];
  let writing: Promise<void> = Promise.resolve();
  let scheduled = false;

  function write(): void {
    scheduled = false;
    const ops = pending;
    pending = [];
    if (!ops.length) return;
    writing = writing.then(() =>
      models.InboxEntry.collection
        .bulkWrite(ops, { ordered: false })
        .then(() => undefined)
        .catch((err: unknown) => onError?.(err)),
    );
  }

  return {
    processed(id, result, now) {
      pending.push({
        updateOne: {
          filter: { _id: id, status: 'accepted' },
          update: {
            $set: {
              status: 'processed',
              issueId: result.issueId,
              number: result.number,
              outcome: result.outcome,
              reason: null,
              processedAt: now,
              updatedAt: now,
            },
          },
        },
      });
      if (!scheduled) {
        scheduled = true;
        setImmediate(write);
      }
    },
    async flush() {
      if (scheduled) write();
      await writing;
    },
  };
}

const SUMMARY_LENGTH = 60;

export function summaryOf(msg: Pick<InboundMessage, 'title' | 'content'>): string {
  return (msg.title?.trim() || msg.content.trim()).slice(0, SUMMARY_LENGTH);
}

/** The message as the inbox keeps it: attachment bytes stay out (attachments store them). */
export function storedMessage(msg: InboundMessage): StoredInboundMessage {
  const { attachments, ...rest } = msg;
  return {
    ...rest,
    ...(attachments?.length
      ? {
          attachments: attachments.map((a) => ({
            filename: a.filename,
            contentType: a.contentType,
            ...(a.mediaId ? { mediaId: a.mediaId } : {}),
            ...(a.data ? { size: a.data.length } : {}),
          })),
        }
      : {}),
  };
}

export interface NewEntry {
  msg: InboundMessage | null;
  raw?: RawPayload;
  channel: InboxEntryDoc['channel'];
  externalId?: string;
  source: string;
  origin: InboxOrigin;
  credentialId: string | null;
  now: Date;
  status?: 'accepted' | 'failed';
  reason?: string;
}

/**
 * Whether a redelivery says what the stored message said (its text and the enterprise it names). Another
 * message under a used external id is refused, never answered with the first one's issue (issue 6).
 */
export function sameMessage(stored: StoredInboundMessage, msg: InboundMessage): boolean {
  const same = (a?: string, b?: string) => (a ?? '').trim() === (b ?? '').trim();
  const [x, y] = [stored.enterprise ?? {}, msg.enterprise ?? {}];
  return (
    same(stored.content, msg.content) &&
    same(stored.title, msg.title) &&
    same(x.creditCode, y.creditCode) &&
    same(x.name, y.name) &&
    same(x.id, y.id)
  );
}

export function newInboxEntry(e: NewEntry): InboxEntryDoc {
  return {
    _id: new Types.ObjectId(),
    channel: e.channel,
    ...(e.externalId ? { externalId: e.externalId } : {}),
    source: e.source,
    origin: e.origin,
    credentialId: e.credentialId,
    receivedAt: e.msg?.receivedAt ?? e.now,
    acceptedAt: e.now,
    status: e.status ?? 'accepted',
    message: e.msg ? storedMessage(e.msg) : null,
    raw: e.raw ?? null,
    summary: e.msg ? summaryOf(e.msg) : (e.raw?.text.slice(0, SUMMARY_LENGTH) ?? ''),
    issueId: new Types.ObjectId(),
    number: null,
    outcome: null,
    reason: e.reason ?? null,
    // Processing tries, shown on the dead-letter desk (已处理次数): an entry is stored to be processed at once
    // (or, a dead letter, was already tried and could not be parsed), so it starts at one; each retry adds one.
    attempts: 1,
    processedAt: null,
    discardReason: null,
    updatedAt: e.now,
  };
}

export { isDuplicateKey };

/** Stores the entry; false when (channel, externalId) is already in the inbox (a redelivery). */
export async function insertInboxEntry(models: Models, entry: InboxEntryDoc): Promise<boolean> {
  try {
    // Shared with the deliveries of the same moment: one insertMany, each its own duplicate-key error.
    await batchedInsertOne(models.InboxEntry.collection as unknown as Collection, entry);
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

export async function findInboxEntry(models: Models, channel: string, externalId: string) {
  return models.InboxEntry.collection.findOne<InboxEntryDoc>({ channel, externalId });
}

/** An entry that just became a dead letter: the centre is told (server/notify, once per entry). */
export interface DeadLetterNotice {
  id: string;
  channel: string;
  reason: string;
}
export type DeadLetterListener = (notice: DeadLetterNotice) => void;

// One listener per app, keyed by the app's models like the recorders above (no process-wide state).
const deadLetterListeners = new WeakMap<Models, DeadLetterListener>();

/** Tells `listener` about every entry of these models that moves to failed (the notify service sets it). */
export function setDeadLetterListener(models: Models, listener: DeadLetterListener): void {
  deadLetterListeners.set(models, listener);
}

function tellDeadLetter(models: Models, notice: DeadLetterNotice): void {
  try {
    deadLetterListeners.get(models)?.(notice);
  } catch {
    // The listener owns its errors; the entry is failed and listed either way.
  }
}

export async function markInboxFailed(models: Models, id: Types.ObjectId, reason: string, now: Date) {
  const stored = reason.slice(0, 500);
  const entry = await models.InboxEntry.collection.findOneAndUpdate(
    { _id: id, status: 'accepted' },
    { $set: { status: 'failed', reason: stored, updatedAt: now } },
    { projection: { channel: 1 } },
  );
  if (entry) tellDeadLetter(models, { id: String(id), channel: String(entry.channel), reason: stored });
}

/** Moves a failed entry back to accepted (retry); null when it is not failed (any more) or being registered. */
export async function reopenFailedEntry(
  models: Models,
  id: Types.ObjectId,
  now: Date,
  message?: StoredInboundMessage,
): Promise<InboxEntryDoc | null> {
  return models.InboxEntry.collection.findOneAndUpdate(
    { _id: id, status: 'failed', ...notBeingRegistered(now) },
    {
      $set: {
        status: 'accepted',
        reason: null,
        updatedAt: now,
        // The corrected message replaces what could not be read, in the list's line too.
        ...(message ? { message, raw: null, summary: summaryOf(message) } : {}),
      },
      $inc: { attempts: 1 },
    },
    { returnDocument: 'after' },
  ) as Promise<InboxEntryDoc | null>;
}

/** The outcome of a dead letter a clerk filed by hand (人工登记): it names the issue it became. */
export const REGISTERED_BY_HAND = 'registered_by_hand' satisfies InboxOutcome;

/**
 * How long a claim holds: far beyond one registration (a few round trips), short enough that an entry a
 * crashed process claimed is free again for a retry or another clerk within the minute.
 */
export const REGISTRATION_LEASE_MS = 60_000;

/** Whether a clerk holds the entry for registration right now (its claim's lease has not run out). */
export function isBeingRegistered(entry: Pick<InboxEntryDoc, 'registering'>, now: Date): boolean {
  return !!entry.registering && entry.registering.at.getTime() > now.getTime() - REGISTRATION_LEASE_MS;
}

/** The filter of an entry no one is registering (no claim, or one whose lease ran out). */
export function notBeingRegistered(now: Date) {
  return {
    $or: [
      { registering: null },
      { 'registering.at': { $lte: new Date(now.getTime() - REGISTRATION_LEASE_MS) } },
    ],
  };
}

/**
 * Claims a failed entry for hand registration: one atomic update decides between two clerks, a retry and a
 * redelivery (reopenFailedEntry honours the claim), so only one of them can turn it into an issue. Null when it
 * is not failed, or someone else holds it.
 */
export async function claimForRegistration(
  models: Models,
  id: Types.ObjectId,
  now: Date,
): Promise<(InboxEntryDoc & { registering: RegistrationClaim }) | null> {
  const claim: RegistrationClaim = { token: new Types.ObjectId().toHexString(), at: now };
  return models.InboxEntry.collection.findOneAndUpdate(
    { _id: id, status: 'failed', ...notBeingRegistered(now) },
    { $set: { registering: claim } },
    { returnDocument: 'after' },
  ) as Promise<(InboxEntryDoc & { registering: RegistrationClaim }) | null>;
}

/** Gives a claim up (the registration was refused): the entry is a dead letter as before. */
export async function releaseRegistration(models: Models, id: Types.ObjectId, claim: RegistrationClaim) {
  await models.InboxEntry.collection.updateOne(
    { _id: id, 'registering.token': claim.token },
    { $unset: { registering: '' } },
  );
}

/**
 * Records the issue a claimed entry became: processed, with its number, the outcome and who registered it. The
 * failure reason stays (why it needed a person); null when the claim was lost meanwhile (its lease ran out).
 */
export async function recordRegistered(
  models: Models,
  id: Types.ObjectId,
  claim: RegistrationClaim,
  issue: { _id: Types.ObjectId; number: string },
  registration: InboxRegistration,
): Promise<InboxEntryDoc | null> {
  return models.InboxEntry.collection.findOneAndUpdate(
    { _id: id, status: 'failed', 'registering.token': claim.token },
    {
      $set: {
        status: 'processed',
        issueId: issue._id,
        number: issue.number,
        outcome: REGISTERED_BY_HAND,
        processedAt: registration.at,
        updatedAt: registration.at,
        registration,
      },
      $unset: { registering: '' },
    },
    { returnDocument: 'after' },
  ) as Promise<InboxEntryDoc | null>;
}

/**
 * A delivery from an authenticated caller that could not be parsed: kept raw in the dead-letter list, under
 * the external id when the body still names one (staff look a failed work order up by its number). A corrected
 * redelivery then lands on this entry and is processed with its message (pipeline.ts, redelivery of a failed
 * entry); another malformed one replaces the raw body. When the id already belongs to an entry that is not a
 * dead letter (taken in, discarded), this one is kept beside it without claiming the id.
 */
export async function storeDeadLetter(
  models: Models,
  e: Pick<NewEntry, 'channel' | 'source' | 'origin' | 'credentialId' | 'now' | 'externalId'> & {
    raw: RawPayload;
    reason: string;
  },
): Promise<InboxEntryDoc> {
  const reason = e.reason.slice(0, 500);
  const entry = newInboxEntry({ ...e, msg: null, status: 'failed', reason });
  try {
    await models.InboxEntry.collection.insertOne(entry);
  } catch (err) {
    if (!isDuplicateKey(err) || !e.externalId) throw err;
    const again = await models.InboxEntry.collection.findOneAndUpdate(
      { channel: e.channel, externalId: e.externalId, source: e.source, status: 'failed', message: null },
      { $set: { raw: e.raw, message: null, reason, updatedAt: e.now }, $inc: { attempts: 1 } },
      { returnDocument: 'after' },
    );
    if (again) return again as InboxEntryDoc;
    return storeDeadLetter(models, { ...e, externalId: undefined });
  }
  tellDeadLetter(models, { id: String(entry._id), channel: e.channel, reason });
  return entry;
}

/**
 * What arrived, as text for people to read. A body that is not UTF-8 (the channels refuse it) is most often a
 * Chinese platform's GBK: read as GB18030, marked so, rather than shown as replacement characters.
 */
export function rawPayloadOf(body: Buffer, contentType: string | undefined): RawPayload {
  const gbk = !isUtf8(body);
  const text = gbk ? new TextDecoder('gb18030').decode(body) : body.toString('utf8');
  return {
    contentType: contentType ?? '',
    size: body.length,
    text: text.slice(0, RAW_TEXT_LIMIT),
    ...(gbk ? { decodedAs: 'gb18030' as const } : {}),
  };
}

/** Why 重试 cannot help a failed entry (nothing it holds can be processed again), or null. */
export function notRetryable(e: InboxEntryDoc): string | null {
  if (e.message) return null;
  return e.raw ? notReparsable(e.channel, e.raw) : '未保存可重新处理的报文，请人工登记或作废';
}

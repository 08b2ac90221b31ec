// The notification outbox (issue 8): one row per message someone must receive — a staff member in the app, an
// enterprise by SMS or email, or the originating channel's push-back. Rows are written after the issue write
// commits, keyed so the same fact never produces two rows (the UNIQUE `key`: a retried command or a second
// sweeper inserting it again gets a duplicate-key error and nothing else). The delivery worker claims due rows
// a batch at a time, retries failures with exponential backoff and gives up (`dead`) after N tries.
import { Schema, type Connection, type Model, type Types } from 'mongoose';

export const OUTBOX_CHANNELS = ['inapp', 'sms', 'email', 'wechat', 'pushback'] as const;
export type OutboxChannel = (typeof OUTBOX_CHANNELS)[number];
export const OUTBOX_STATUSES = ['pending', 'sending', 'sent', 'dead'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

export interface OutboxRecipient {
  /** user: a staff account; enterprise: its registered contact; channel: the originating channel. */
  kind: 'user' | 'enterprise' | 'channel';
  /** User id, enterprise id, or the channel id (e.g. `hotline12345`). */
  id: string;
  /** Display name (staff name, enterprise name). */
  name: string;
  /** Mobile, email address, WeChat openid, or the external id the channel knows the message by. */
  address: string | null;
}

export interface OutboxDoc {
  _id: Types.ObjectId;
  /** `${issueId}:${event}:${step}:${recipient}:${channel}`: unique, so a fact is written once. */
  key: string;
  event: string;
  channel: OutboxChannel;
  recipient: OutboxRecipient;
  issueId: Types.ObjectId | null;
  issueNumber: string | null;
  title: string;
  text: string;
  /** Email replies: the Message-ID of the mail the issue came in by, so the reply joins its thread. */
  replyTo?: string | null;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  /** While `sending`: the claim runs out then, and another worker may take the row over. */
  lockedUntil: Date | null;
  /** While `sending`: the worker pass that claimed it (it reads back its own claim by this id). */
  claimId?: Types.ObjectId;
  lastError: string | null;
  /** The provider's message id, when it gives one. */
  providerId: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

export type OutboxModel = Model<OutboxDoc>;

export function defineOutboxModel(conn: Connection): OutboxModel {
  const recipient = new Schema<OutboxRecipient>(
    {
      kind: { type: String, enum: ['user', 'enterprise', 'channel'], required: true },
      id: { type: String, required: true },
      name: { type: String, default: '' },
      address: { type: String, default: null },
    },
    { _id: false },
  );
  const schema = new Schema<OutboxDoc>(
    {
      key: { type: String, required: true },
      event: { type: String, required: true },
      channel: { type: String, enum: OUTBOX_CHANNELS, required: true },
      recipient: { type: recipient, required: true },
      issueId: { type: Schema.Types.ObjectId, ref: 'Issue', default: null },
      issueNumber: { type: String, default: null },
      title: { type: String, default: '' },
      text: { type: String, required: true },
      replyTo: { type: String, default: null },
      status: { type: String, enum: OUTBOX_STATUSES, required: true, default: 'pending' },
      attempts: { type: Number, default: 0 },
      nextAttemptAt: { type: Date, required: true },
      lockedUntil: { type: Date, default: null },
      claimId: { type: Schema.Types.ObjectId },
      lastError: { type: String, default: null },
      providerId: { type: String, default: null },
      createdAt: { type: Date, required: true },
      sentAt: { type: Date, default: null },
    },
    { collection: 'outbox', versionKey: false },
  );
  schema.index({ key: 1 }, { unique: true });
  // The worker's queue: due rows in order; `sending` rows whose claim ran out are found by lockedUntil.
  schema.index({ status: 1, nextAttemptAt: 1 });
  // The 通知发送 screen's pages, latest first, for each filter it offers (none, a status, an issue, a recipient):
  // each index delivers that order with `_id` breaking ties (a fact's rows share one createdAt), so a page reads
  // about its own rows and the keyset cursor continues exactly. Retention's purge reads the status index.
  schema.index({ createdAt: -1, _id: -1 });
  schema.index({ status: 1, createdAt: -1, _id: -1 });
  schema.index({ issueId: 1, createdAt: -1, _id: -1 });
  schema.index({ 'recipient.name': 1, createdAt: -1, _id: -1 });
  return conn.model<OutboxDoc>('Outbox', schema);
}

/** Indexes of older versions that the ones above replace (without `_id` they could not deliver the list's order). */
export const RETIRED_OUTBOX_INDEXES = Object.freeze([
  'createdAt_-1',
  'status_1_createdAt_-1',
  'issueId_1_createdAt_-1',
]);

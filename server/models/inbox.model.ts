// The raw inbox (DESIGN §2): every inbound message is stored here, with its channel, the channel's own id for
// it, when it arrived and which credential delivered it, BEFORE it is processed, and acknowledged only after
// that write. Its status moves accepted → processed (with the issue it became or joined) or → failed (with a
// reason: the dead-letter list), and a failed one may be retried or discarded. The unique (channel,
// externalId) index is what makes a redelivery, even a concurrent one, land on the same entry.
import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { CHANNEL_IDS, type ChannelId } from '../../shared/states.ts';
import type { InboundMessage } from '../channels/types.ts';

export const INBOX_STATUSES = ['accepted', 'processed', 'failed', 'discarded'] as const;
export type InboxStatus = (typeof INBOX_STATUSES)[number];
/** `registered_by_hand`: a dead letter a clerk filed by hand (人工登记, commands/inbox-register.command.ts). */
export type InboxOutcome = 'created' | 'merged' | 'duplicate' | 'registered_by_hand';

/** Who registered a dead letter by hand, and when (kept on the entry for audit). */
export interface InboxRegistration {
  by: { id: string; name: string; role: string };
  at: Date;
}

/** A failed entry a clerk is registering: retry, redelivery and discard leave it alone until the lease ends. */
export interface RegistrationClaim {
  token: string;
  at: Date;
}

/** Who delivered it: a channel's credential, a staff member, or an enterprise on its QR page. */
export interface InboxOrigin {
  kind: 'channel' | 'staff' | 'enterprise';
  /** The credential id, the staff user id or the enterprise id. */
  id: string | null;
  role: string;
  name: string;
}

/** The message as stored: attachments keep their metadata; their bytes live in GridFS (attachments). */
export type StoredInboundMessage = Omit<InboundMessage, 'attachments'> & {
  attachments?: { filename: string; contentType: string; mediaId?: string; size?: number }[];
};

/** What arrived when it could not be parsed (a dead letter kept for people to read). */
export interface RawPayload {
  contentType: string;
  size: number;
  /** The body as text, cut at RAW_TEXT_LIMIT characters. */
  text: string;
  /** Set when the body was not UTF-8 and `text` is its GB18030 reading (for people; the channel refused it). */
  decodedAs?: 'gb18030';
  /** Who the transport names as the sender outside the body (a WeChat push's URL names the follower). */
  sender?: { openid?: string };
}

export const RAW_TEXT_LIMIT = 64 * 1024;

export interface InboxEntryDoc {
  _id: Types.ObjectId;
  channel: ChannelId;
  externalId?: string;
  /** Redeliveries are answered only to the same source (`channel:<id>`, `user:<id>`, `enterprise:<id>`). */
  source: string;
  origin: InboxOrigin;
  credentialId: string | null;
  /** When the channel says it received the message (else when we did). */
  receivedAt: Date;
  acceptedAt: Date;
  status: InboxStatus;
  message: StoredInboundMessage | null;
  raw: RawPayload | null;
  /** A short line for lists: the title or the start of the text. */
  summary: string;
  /** The issue this message creates (allocated at acceptance, so a recovery after a crash is idempotent). */
  issueId: Types.ObjectId;
  number: string | null;
  outcome: InboxOutcome | null;
  reason: string | null;
  attempts: number;
  processedAt: Date | null;
  discardReason: string | null;
  /** Files of the message the attachment store refused, each with why (intake/attachment-refusals.ts). */
  refusedAttachments?: { filename: string; reason: string }[];
  /** A clerk's claim while registering it by hand (inbox-store claimForRegistration). */
  registering?: RegistrationClaim | null;
  /** Who registered it by hand, once done. */
  registration?: InboxRegistration | null;
  updatedAt: Date;
}

export type InboxModel = Model<InboxEntryDoc>;

export function defineInboxModel(conn: Connection): InboxModel {
  const { ObjectId, Mixed } = Schema.Types;
  const schema = new Schema<InboxEntryDoc>(
    {
      channel: { type: String, required: true, enum: CHANNEL_IDS },
      externalId: { type: String },
      source: { type: String, required: true },
      origin: { type: Mixed, required: true },
      credentialId: { type: String, default: null },
      receivedAt: { type: Date, required: true },
      acceptedAt: { type: Date, required: true },
      status: { type: String, required: true, enum: INBOX_STATUSES },
      message: { type: Mixed, default: null },
      raw: { type: Mixed, default: null },
      summary: { type: String, default: '' },
      issueId: { type: ObjectId, required: true },
      number: { type: String, default: null },
      outcome: { type: String, default: null },
      reason: { type: String, default: null },
      attempts: { type: Number, default: 0 },
      processedAt: { type: Date, default: null },
      discardReason: { type: String, default: null },
      refusedAttachments: { type: [Mixed], default: undefined },
      registering: { type: Mixed, default: undefined },
      registration: { type: Mixed, default: undefined },
      updatedAt: { type: Date, required: true },
    },
    { collection: 'inbox', versionKey: false, minimize: false },
  );
  schema.index(
    { channel: 1, externalId: 1 },
    { unique: true, partialFilterExpression: { externalId: { $exists: true } } },
  );
  // The dead-letter list (newest first) and the recovery job (oldest accepted first).
  schema.index({ status: 1, acceptedAt: -1 });
  return conn.model<InboxEntryDoc>('InboxEntry', schema);
}

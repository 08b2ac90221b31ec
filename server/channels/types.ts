// The contract between channel adapters and the intake pipeline (DESIGN §2, §10). An adapter is pure: it
// verifies a request against the channel's credentials, parses it into inbound messages and formats the
// acknowledgement in the channel's own shape. It never touches the database; the edge (route, SMTP listener,
// import job) hands its messages to the pipeline (server/intake/pipeline.ts), which stores each one raw in the
// inbox before it is processed and acknowledged.
import type { CategoryId, ChannelId, Urgency } from '../../shared/states.ts';

/** Who raised the issue and how to reach them, whatever the channel. */
export interface InboundContact {
  name?: string;
  phone?: string;
  email?: string;
  /** WeChat openid of the sender. */
  openid?: string;
}

/** What the message says about the enterprise; the pipeline matches it (credit code, contact, name). */
export interface InboundEnterpriseHint {
  creditCode?: string;
  name?: string;
  /** The name was read from the message's free text (name-in-text.ts): it may match, never names a new one. */
  nameFromText?: boolean;
  /** The enterprise's id, when the edge already knows it (staff entry, the QR page). */
  id?: string;
}

/** A file that came with the message (email attachment, WeChat image, form upload). */
export interface InboundAttachment {
  filename: string;
  /** As declared by the sender; the pipeline checks the real type by magic bytes. */
  contentType: string;
  /** The bytes, or a reference the pipeline resolves (a WeChat media id) when the adapter cannot fetch. */
  data?: Buffer;
  mediaId?: string;
}

/** One message from one channel, as the adapter parsed it. */
export interface InboundMessage {
  channel: ChannelId;
  /** The channel's own id for this message: (channel, externalId) is unique, redeliveries share it. */
  externalId: string;
  /** When the channel says it received the message; the pipeline's clock when it does not say. */
  receivedAt?: Date;
  /**
   * When the enterprise raised it (a work order's, a review's or an SMS gateway's receivedAt, a WeChat push's
   * CreateTime, a mail's Date header, each judged against the arrival time by raised-at.ts): the issue keeps it
   * as 来件时间. Time limits still start at intake (DESIGN §5).
   */
  raisedAt?: Date;
  title?: string;
  content: string;
  urgency?: Urgency;
  /** Given by staff at entry; channels leave it to the classifier. */
  category?: CategoryId;
  enterprise: InboundEnterpriseHint;
  contact: InboundContact;
  attachments?: InboundAttachment[];
  /**
   * The channel's ids of earlier messages this one answers (an email's In-Reply-To and References): a reply
   * in the thread of an open issue joins that issue (intake/thread.ts).
   */
  inReplyTo?: string[];
  /**
   * A bare rating sent back (满意, 不满意: an SMS answering the centre's 办理结果 text, a bound WeChat follower's):
   * it joins the sender's enterprise's issue awaiting its rating as a reply there, whose sender is told where to
   * rate (thread.ts).
   */
  ratingReply?: boolean;
  /** Files and no words of the sender's own (a WeChat picture): it may belong to what they just wrote. */
  filesOnly?: boolean;
  /**
   * Why the adapter could not read the text (an unknown charset, a broken encoding): the pipeline keeps the
   * message in the dead-letter list with this reason rather than filing a garbled issue.
   */
  unreadable?: string;
}

/** What the pipeline answers for one accepted message. */
export interface IntakeAck {
  /** The inbox entry that holds the raw message. */
  inboxId: string;
  /** The issue number, once processed (absent while still queued or failed). */
  number?: string;
  status: 'created' | 'merged' | 'duplicate' | 'queued' | 'failed';
  /** Why processing failed (the message stays in the dead-letter list). */
  reason?: string;
  /**
   * The message's words became the content of the issue its sender's picture opened a moment before
   * (status `merged`; intake/picture-words.ts).
   */
  describes?: boolean;
  /** Files that came with the message and were not stored, each with why (超过5个上限, 类型不支持…). */
  refusedAttachments?: { filename: string; reason: string }[];
}

/** The HTTP request as an adapter sees it: no Express types, so adapters stay pure and testable. */
export interface AdapterRequest {
  method: string;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  rawBody: Buffer;
  /** The time the request arrived (passed in; adapters never read the clock). */
  now: Date;
}

/** A reply in the channel's own format (JSON, XML, plain text). */
export interface AdapterReply {
  status: number;
  contentType: string;
  body: string;
}

/** A refused request: a stable code and a Chinese message, answered as a 4xx. */
export class ChannelRefusal extends Error {
  constructor(
    readonly code: string,
    readonly status: 400 | 401 | 403 | 409 | 413 | 415 | 422 | 429,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Where an edge hands each parsed message: the intake pipeline (`acceptInbound`), which stores it raw, then
 * processes and acknowledges it. `credentialId` names the channel credential that authenticated the caller.
 */
export type IntakeSink = (msg: InboundMessage, credentialId?: string) => Promise<IntakeAck>;

// Credentials of the machine channels (DESIGN §10): an API key (zheliban, discovery) is stored only as its
// SHA-256 hash, found by that hash; an HMAC secret (hotline12345, review, sms) or a token (WeChat) must be read
// back to verify a signature, so it is stored encrypted with the server's channel-secret key (AES-256-GCM).
// Neither is ever returned after creation. Revocation is a timestamp, kept for the audit trail.
import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { CHANNEL_IDS, type ChannelId } from '../../shared/states.ts';
import { maxChars } from './max-chars.ts';

export const CREDENTIAL_KINDS = ['api_key', 'hmac', 'token'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

export interface ChannelCredentialDoc {
  _id: Types.ObjectId;
  channel: ChannelId;
  kind: CredentialKind;
  label: string;
  /** api_key: hex SHA-256 of the key. */
  keyHash: string | null;
  /** hmac: `iv.tag.ciphertext` (base64url) of the secret. */
  secretEnc: string | null;
  /** The last 4 characters of the key or secret, so admins can tell credentials apart. */
  hint: string;
  createdBy: string;
  createdAt: Date;
  revokedAt: Date | null;
  revokedBy: string | null;
}

export type ChannelCredentialModel = Model<ChannelCredentialDoc>;

export function defineChannelCredentialModel(conn: Connection): ChannelCredentialModel {
  const schema = new Schema<ChannelCredentialDoc>(
    {
      channel: { type: String, required: true, enum: CHANNEL_IDS },
      kind: { type: String, required: true, enum: CREDENTIAL_KINDS },
      label: { type: String, default: '', validate: maxChars(100) },
      keyHash: { type: String, default: null },
      secretEnc: { type: String, default: null },
      hint: { type: String, default: '' },
      createdBy: { type: String, required: true },
      createdAt: { type: Date, required: true },
      revokedAt: { type: Date, default: null },
      revokedBy: { type: String, default: null },
    },
    { collection: 'channel_credentials', versionKey: false },
  );
  schema.index({ keyHash: 1 }, { unique: true, partialFilterExpression: { keyHash: { $type: 'string' } } });
  schema.index({ channel: 1, createdAt: -1 });
  return conn.model<ChannelCredentialDoc>('ChannelCredential', schema);
}

/**
 * Signatures already seen, so a captured webhook cannot be replayed within its ±5 minute window. Kept in the
 * database (every app process shares it) and dropped by a TTL index once the timestamp could no longer pass.
 */
export interface ChannelReplayDoc {
  /** `<channel>:<signature>` */
  _id: string;
  expiresAt: Date;
}

export type ChannelReplayModel = Model<ChannelReplayDoc>;

export function defineChannelReplayModel(conn: Connection): ChannelReplayModel {
  const schema = new Schema<ChannelReplayDoc>(
    { _id: { type: String, required: true }, expiresAt: { type: Date, required: true } },
    { collection: 'channel_replays', versionKey: false },
  );
  schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
  return conn.model<ChannelReplayDoc>('ChannelReplay', schema);
}

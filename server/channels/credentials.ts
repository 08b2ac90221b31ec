// Channel credentials: how each machine channel authenticates, the cryptography of storing them (API keys as
// SHA-256 hashes; HMAC secrets and tokens encrypted with AES-256-GCM under the channel-secret key), and the
// in-memory snapshot the webhook routes verify against. The snapshot is read once and kept for a few seconds
// (intake-config.ts's cachedSnapshot): a revocation applies at once in the process that made it and within
// the TTL in the others, like every other configuration change.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { ChannelId } from '../../shared/states.ts';
import type { Config } from '../config.ts';
import { cachedSnapshot, type SnapshotCacheOptions, type SnapshotSource } from '../intake/intake-config.ts';
import type { ChannelCredentialDoc, CredentialKind } from '../models/channel-credential.model.ts';
import type { Models } from '../models/index.ts';

/** How each machine channel authenticates (the others are staff, the QR page, SMTP or imports). */
export const CHANNEL_AUTH: Readonly<Partial<Record<ChannelId, CredentialKind>>> = Object.freeze({
  hotline12345: 'hmac',
  review: 'hmac',
  sms: 'hmac',
  zheliban: 'api_key',
  discovery: 'api_key',
  wechat: 'token',
});

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The 32-byte key that encrypts stored secrets: CHANNEL_SECRET_KEY, else derived from the JWT secret. */
export function channelSecretKeyOf(config: Pick<Config, 'channelSecretKey' | 'jwtSecret'>): Buffer {
  if (config.channelSecretKey) return createHash('sha256').update(config.channelSecretKey).digest();
  if (!config.jwtSecret) throw new Error('channel secrets: no CHANNEL_SECRET_KEY and no JWT secret');
  return Buffer.from(hkdfSync('sha256', config.jwtSecret, 'eil', 'channel-credentials', 32));
}

export function encryptSecret(key: Buffer, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url')).join('.');
}

export function decryptSecret(key: Buffer, stored: string): string {
  const [iv, tag, data] = stored.split('.').map((p) => Buffer.from(p, 'base64url'));
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
}

/** A fresh API key (shown once) or secret. */
export function newApiKey(channel: ChannelId): string {
  return `${channel}_${randomBytes(24).toString('base64url')}`;
}
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * What the admin screen shows of a credential: its last 4 characters. Not its first ones: every API key starts
 * with its channel's name (`zheliban_…`), so keys of one channel could not be told apart.
 */
export function credentialHint(value: string): string {
  return value.slice(-4);
}

export interface ActiveSecret {
  id: string;
  secret: string;
}

export interface CredentialSnapshot {
  /** Decrypted secrets (HMAC, tokens) of a channel's credentials that are not revoked. */
  secrets(channel: ChannelId): readonly ActiveSecret[];
  /** The credential an API key hashes to, revoked ones included (so a revoked key gets its own answer). */
  apiKey(hash: string): { id: string; channel: ChannelId; revoked: boolean } | undefined;
}

export type CredentialSource = SnapshotSource<CredentialSnapshot>;

export function snapshotOfCredentials(
  key: Buffer,
  docs: readonly ChannelCredentialDoc[],
): CredentialSnapshot {
  const secrets = new Map<ChannelId, ActiveSecret[]>();
  const keys = new Map<string, { id: string; channel: ChannelId; revoked: boolean }>();
  for (const d of docs) {
    const id = String(d._id);
    if (d.keyHash) keys.set(d.keyHash, { id, channel: d.channel, revoked: d.revokedAt != null });
    if (d.secretEnc && d.revokedAt == null) {
      let secret: string;
      try {
        secret = decryptSecret(key, d.secretEnc);
      } catch {
        continue; // encrypted under another key (CHANNEL_SECRET_KEY changed): unusable until re-issued
      }
      const list = secrets.get(d.channel) ?? [];
      list.push({ id, secret });
      secrets.set(d.channel, list);
    }
  }
  return {
    secrets: (channel) => secrets.get(channel) ?? [],
    apiKey: (hash) => keys.get(hash),
  };
}

const credentialCaches = new WeakMap<Models, CredentialSource>();

/** One snapshot per set of models (per app): the webhook routes and the admin API share its invalidation. */
export function credentialSourceFor(
  models: Models,
  key: Buffer,
  options?: SnapshotCacheOptions,
): CredentialSource {
  let source = credentialCaches.get(models);
  if (!source) {
    source = cachedSnapshot(async () => {
      const docs = await models.ChannelCredential.find({}).lean<ChannelCredentialDoc[]>();
      return snapshotOfCredentials(key, docs);
    }, options);
    credentialCaches.set(models, source);
  }
  return source;
}

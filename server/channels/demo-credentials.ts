// Demo mode's channel credentials (DESIGN §10), so a new user can try every JSON channel with curl on a fresh
// clone: HMAC secrets `demo-<channel>-secret` and API keys `demo-<channel>-key`. Stored like any other
// credential (hashed or encrypted); seeding inserts only what is missing. Never used outside demo mode.
// Two processes starting at once on an empty database both find the rows missing: each demo credential has a
// fixed _id, so the unique index keeps one copy and the other process's insert is dropped, not a crash.
import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import type { Clock } from '../../shared/clock.ts';
import type { ChannelId } from '../../shared/states.ts';
import type { Models } from '../models/index.ts';
import { insertMissing } from '../seed/insert-missing.ts';
import { credentialHint, encryptSecret, hashApiKey } from './credentials.ts';

export const DEMO_CHANNEL_CREDENTIALS = Object.freeze([
  { channel: 'hotline12345', kind: 'hmac', value: 'demo-hotline12345-secret' },
  { channel: 'review', kind: 'hmac', value: 'demo-review-secret' },
  { channel: 'sms', kind: 'hmac', value: 'demo-sms-secret' },
  { channel: 'zheliban', kind: 'api_key', value: 'demo-zheliban-key' },
  { channel: 'discovery', kind: 'api_key', value: 'demo-discovery-key' },
] as const satisfies readonly { channel: ChannelId; kind: 'hmac' | 'api_key'; value: string }[]);

export const DEMO_CREDENTIAL_LABEL = '演示凭据';
/** The `createdBy` of the seeded credentials: no one's username (the admin's list names it 演示数据). */
export const DEMO_CREATED_BY = 'seed';

/** The same id in every process, so concurrent seeding collides on it. */
function demoCredentialId(channel: ChannelId): Types.ObjectId {
  return new Types.ObjectId(
    createHash('sha256').update(`demo-credential:${channel}`).digest('hex').slice(0, 24),
  );
}

export async function seedDemoChannelCredentials(models: Models, key: Buffer, clock: Clock): Promise<number> {
  const existing = await models.ChannelCredential.find(
    { label: DEMO_CREDENTIAL_LABEL },
    { channel: 1 },
  ).lean();
  const have = new Set(existing.map((c) => c.channel));
  const missing = DEMO_CHANNEL_CREDENTIALS.filter((c) => !have.has(c.channel));
  if (!missing.length) return 0;
  await insertMissing(
    models.ChannelCredential,
    missing.map((c) => ({
      _id: demoCredentialId(c.channel),
      channel: c.channel,
      kind: c.kind,
      label: DEMO_CREDENTIAL_LABEL,
      keyHash: c.kind === 'api_key' ? hashApiKey(c.value) : null,
      secretEnc: c.kind === 'hmac' ? encryptSecret(key, c.value) : null,
      hint: credentialHint(c.value),
      createdBy: DEMO_CREATED_BY,
      createdAt: clock.now(),
    })),
  );
  return missing.length;
}

/** How each kind is named in the banner, in as many terminal columns (密钥 takes two a character). */
const KIND_TEXT = { hmac: 'HMAC密钥 (X-Signature)', api_key: 'API Key (X-Api-Key)   ' } as const;

/** The banner's lines, in columns: the endpoints line up whatever the length of each demo value. */
export function demoCredentialLines(): string[] {
  const width = Math.max(...DEMO_CHANNEL_CREDENTIALS.map((c) => c.value.length));
  return DEMO_CHANNEL_CREDENTIALS.map(
    (c) =>
      `    ${c.channel.padEnd(14)} ${KIND_TEXT[c.kind]} ${c.value.padEnd(width)}   POST /api/intake/${c.channel}`,
  );
}

// Replayed webhooks: a signature is accepted once. Seen signatures are inserted into the database (shared by
// every app process, so a replay to another process is refused too) with an expiry after which the timestamp
// it signs could no longer pass the ±5 minute window anyway; a TTL index removes them then.
import { ChannelRefusal } from './types.ts';
import { SIGNATURE_WINDOW_S } from './signature.ts';
import type { Collection } from 'mongodb';
import type { ChannelReplayDoc } from '../models/channel-credential.model.ts';
import type { Models } from '../models/index.ts';
import { isDuplicateKey } from '../db/duplicate-key.ts';

export async function claimSignature(models: Models, channel: string, signature: string, timestamp: number) {
  const expiresAt = new Date((timestamp + SIGNATURE_WINDOW_S + 60) * 1000);
  try {
    const replays = models.ChannelReplay.collection as unknown as Collection<ChannelReplayDoc>;
    await replays.insertOne({ _id: `${channel}:${signature}`, expiresAt });
  } catch (err) {
    if (isDuplicateKey(err))
      throw new ChannelRefusal('replayed', 409, '该签名的请求已处理过（疑似重放），如需重发请重新签名');
    throw err;
  }
}

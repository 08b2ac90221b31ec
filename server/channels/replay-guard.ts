// Replayed webhooks: a signature is accepted once. Seen signatures are inserted into the database (shared by
// every app process, so a replay to another process is refused too) with an expiry after which the timestamp
// it signs could no longer pass the ±5 minute window anyway; a TTL index removes them then. The expiry is
// written on the database's own clock (`$$NOW`), the one its TTL monitor judges by: a signed timestamp on a
// clock behind the database's (a simulated one in tests, a skewed app server) must not expire at once. The
// claims of concurrent deliveries share one bulk write (batchedUpsertOne): under a burst this was the one
// write of a webhook that went alone.
import { ChannelRefusal } from './types.ts';
import { SIGNATURE_WINDOW_S } from './signature.ts';
import type { Collection } from 'mongodb';
import type { Models } from '../models/index.ts';
import { batchedUpsertOne } from '../db/batched-ops.ts';
import { isDuplicateKey } from '../db/duplicate-key.ts';

export async function claimSignature(models: Models, channel: string, signature: string) {
  const keepMs = (2 * SIGNATURE_WINDOW_S + 60) * 1000;
  const replays = models.ChannelReplay.collection as unknown as Collection;
  let first = false;
  try {
    first = await batchedUpsertOne(replays, { _id: `${channel}:${signature}` }, [
      { $set: { expiresAt: { $ifNull: ['$expiresAt', { $add: ['$$NOW', keepMs] }] } } },
    ]);
  } catch (err) {
    // Two deliveries racing to insert: the one that lost is the replay.
    if (!isDuplicateKey(err)) throw err;
  }
  if (!first)
    throw new ChannelRefusal('replayed', 409, '该签名的请求已处理过（疑似重放），如需重发请重新签名');
}

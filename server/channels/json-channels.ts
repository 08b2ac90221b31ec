// The JSON channels this server answers at /api/intake/<id>, by id.
import type { ChannelId } from '../../shared/states.ts';
import { discoveryAdapter } from './discovery/discovery.adapter.ts';
import { hotline12345Adapter } from './hotline12345/hotline12345.adapter.ts';
import type { JsonChannelAdapter } from './json-channel.ts';
import type { RawPayload } from '../models/inbox.model.ts';
import { ChannelRefusal, type InboundMessage } from './types.ts';
import { reviewAdapter } from './review/review.adapter.ts';
import { smsAdapter } from './sms/sms.adapter.ts';
import { zhelibanAdapter } from './zheliban/zheliban.adapter.ts';

export const JSON_CHANNELS: readonly JsonChannelAdapter[] = Object.freeze([
  hotline12345Adapter,
  zhelibanAdapter,
  discoveryAdapter,
  reviewAdapter,
  smsAdapter,
]);

export function jsonAdapterOf(channel: ChannelId): JsonChannelAdapter | undefined {
  return JSON_CHANNELS.find((a) => a.channel === channel);
}

/** A dead letter of a JSON channel, parsed again (retry after a fix); throws when it still cannot be. */
export function reparseJsonChannel(channel: ChannelId, raw: RawPayload): InboundMessage {
  const adapter = jsonAdapterOf(channel);
  if (!adapter) throw new ChannelRefusal('not_reparsable', 409, '该渠道的原始报文不能重新解析');
  if (raw.text.length < raw.size && Buffer.byteLength(raw.text) < raw.size)
    throw new ChannelRefusal('not_reparsable', 409, '原始报文过长未完整保存，不能重新解析');
  return adapter.parse(Buffer.from(raw.text, 'utf8'), new Date());
}

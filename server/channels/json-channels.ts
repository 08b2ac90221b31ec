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

/**
 * Why a raw dead letter cannot be parsed again (a retry would only fail the same way), or null. A body the
 * adapter still refuses (broken JSON, a missing field) is one: 重试 is offered once a fixed adapter parses it.
 */
export function notReparsable(channel: ChannelId, raw: RawPayload): string | null {
  const adapter = jsonAdapterOf(channel);
  if (!adapter) return '该渠道的原始报文不能重新解析，请人工登记或作废';
  if (raw.text.length < raw.size && Buffer.byteLength(raw.text) < raw.size)
    return '原始报文过长未完整保存，不能重新解析，请人工登记或作废';
  try {
    adapter.parse(Buffer.from(raw.text, 'utf8'), new Date());
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return `原始报文仍不能解析（${why}），重试不会成功，请人工登记或作废`;
  }
  return null;
}

/** A dead letter of a JSON channel, parsed again (retry after a fix); throws when it still cannot be. */
export function reparseJsonChannel(channel: ChannelId, raw: RawPayload): InboundMessage {
  const why = notReparsable(channel, raw);
  if (why) throw new ChannelRefusal('not_reparsable', 409, why);
  return jsonAdapterOf(channel)!.parse(Buffer.from(raw.text, 'utf8'), new Date());
}

// How the machine channels prove who they are (DESIGN §10), pure: HMAC-SHA256 over `timestamp + "." + rawBody`
// with the channel's secret, in `X-Signature` (hex) beside `X-Timestamp` (unix seconds, at most 5 minutes
// off), or an API key in `X-Api-Key` that hashes to a live credential. Comparisons are constant-time. The
// replay check (a signature seen before) needs shared memory, so the route does it (replay-guard.ts).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ChannelId } from '../../shared/states.ts';
import { ChannelRefusal, type AdapterRequest } from './types.ts';
import { hashApiKey, type ActiveSecret, type CredentialSnapshot } from './credentials.ts';

export const SIGNATURE_WINDOW_S = 300;

export interface VerifiedCaller {
  credentialId: string;
  /** HMAC channels: the signature (the replay key) and its timestamp. */
  signature?: string;
  timestamp?: number;
}

export function signBody(secret: string, timestamp: number | string, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

const HEX64 = /^[0-9a-f]{64}$/i;

export function verifyHmac(req: AdapterRequest, secrets: readonly ActiveSecret[]): VerifiedCaller {
  const ts = req.headers['x-timestamp']?.trim();
  const sig = req.headers['x-signature']?.trim().toLowerCase();
  if (!ts || !sig)
    throw new ChannelRefusal('signature_missing', 401, '缺少签名：请提供 X-Timestamp 与 X-Signature');
  // Any whole number of seconds is a timestamp (`1` is merely 1970: stale); only what is no number is invalid.
  if (!/^\d{1,16}$/.test(ts))
    throw new ChannelRefusal('timestamp_invalid', 401, 'X-Timestamp 须为Unix秒级时间戳');
  const timestamp = Number(ts);
  const nowS = req.now.getTime() / 1000;
  if (Math.abs(nowS - timestamp) > SIGNATURE_WINDOW_S) {
    // Milliseconds of now (a common integration slip) would read as the far future: say what is wrong.
    if (Math.abs(nowS - timestamp / 1000) <= SIGNATURE_WINDOW_S)
      throw new ChannelRefusal('timestamp_invalid', 401, 'X-Timestamp 须为Unix秒级时间戳（收到的是毫秒）');
    throw new ChannelRefusal('timestamp_stale', 401, '签名时间戳与服务器时间相差超过5分钟，请校准时钟后重发');
  }
  if (!HEX64.test(sig)) throw new ChannelRefusal('signature_invalid', 401, '签名无效');
  const given = Buffer.from(sig, 'hex');
  for (const s of secrets) {
    const expected = Buffer.from(signBody(s.secret, ts, req.rawBody), 'hex');
    if (timingSafeEqual(expected, given)) return { credentialId: s.id, signature: sig, timestamp };
  }
  throw new ChannelRefusal('signature_invalid', 401, '签名无效');
}

export function verifyApiKey(
  req: AdapterRequest,
  channel: ChannelId,
  creds: CredentialSnapshot,
): VerifiedCaller {
  const key = req.headers['x-api-key']?.trim();
  if (!key) throw new ChannelRefusal('api_key_missing', 401, '缺少 X-Api-Key');
  const found = creds.apiKey(hashApiKey(key));
  if (!found || found.channel !== channel) throw new ChannelRefusal('api_key_invalid', 401, 'API Key 无效');
  if (found.revoked) throw new ChannelRefusal('api_key_revoked', 401, 'API Key 已吊销，请联系管理员重新签发');
  return { credentialId: found.id };
}

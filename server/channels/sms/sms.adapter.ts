// The SMS gateway's upstream push (DESIGN §10), HMAC-signed: `{msgId, from, text, receivedAt?}`. The sender's
// mobile is the contact (and matches the enterprise's registered mobile); a credit code written in the text
// names the enterprise outright. Pure.
import { z } from 'zod';
import { isValidCreditCode } from '../../../shared/credit-code.ts';
import { LIMITS } from '../../../shared/schemas.ts';
import {
  instantField,
  jsonAck,
  parseJsonObject,
  parseWith,
  text,
  type JsonChannelAdapter,
} from '../json-channel.ts';

const smsSchema = z.object({
  msgId: text(LIMITS.externalId, 'msgId'),
  from: text(30, '发送号码').regex(/^\+?[\d\s-]{5,29}$/, { error: '发送号码格式无效' }),
  text: text(LIMITS.content, '短信内容'),
  receivedAt: instantField,
});

const CREDIT_CODE_IN_TEXT = /(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{18}(?![0-9A-Z])/g;

/** The first valid credit code written in the text. */
export function creditCodeIn(text: string): string | undefined {
  return text.toUpperCase().match(CREDIT_CODE_IN_TEXT)?.find(isValidCreditCode);
}

export const smsAdapter: JsonChannelAdapter = {
  channel: 'sms',
  auth: 'hmac',
  parse(raw) {
    const m = parseWith(smsSchema, parseJsonObject(raw));
    const creditCode = creditCodeIn(m.text);
    return {
      channel: 'sms',
      externalId: m.msgId,
      ...(m.receivedAt ? { receivedAt: m.receivedAt } : {}),
      content: m.text,
      enterprise: creditCode ? { creditCode } : {},
      contact: { phone: m.from },
    };
  },
  reply: jsonAck,
};

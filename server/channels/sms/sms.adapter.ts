// The SMS gateway's upstream push (DESIGN §10), HMAC-signed: `{msgId, from, text, receivedAt?}`; the gateway's
// receivedAt (optional) is when the owner sent it, the 来件时间, checked as a work order's is. The sender's
// mobile is the contact (and matches the enterprise's registered mobile); a credit code written in the text
// names the enterprise outright and leaves the text, as on WeChat and by mail (credit-code-in-text.ts); else the
// firm the text says it writes for is a hint (name-in-text.ts). A text that is only courtesy (你好, 谢谢, 收到)
// or a bare reply (T, 退订) is refused 422 `no_complaint`: nothing to file; so is the credit code alone (who, not
// what, as a mail of it is refused), and a bare rating (满意, 不满意) unless it answers an issue awaiting its
// rating (ratingReply, thread.ts). Pure.
import { z } from 'zod';
import { LIMITS } from '../../../shared/schemas.ts';
import { AppError } from '../../errors.ts';
import { isBareRating, isCourtesy } from '../courtesy.ts';
import { findCreditCode } from '../credit-code-in-text.ts';
import { enterpriseHint } from '../name-in-text.ts';
import {
  instantField,
  jsonAck,
  parseJsonObject,
  parseWith,
  text,
  type JsonChannelAdapter,
} from '../json-channel.ts';
import { checkReceivedAt } from '../raised-at.ts';

const smsSchema = z.object({
  msgId: text(LIMITS.externalId, 'msgId'),
  from: text(30, '发送号码').regex(/^\+?[\d\s-]{5,29}$/, { error: '发送号码格式无效' }),
  text: text(LIMITS.content, '短信内容'),
  receivedAt: instantField,
});

/** A text with nothing to file: refused, nothing kept, no receipt sent. */
export const noComplaint = () =>
  new AppError('no_complaint', 422, '短信只有问候、致谢、评价或退订回复，没有要反映的问题，不予登记');
const onlyCreditCode = () =>
  new AppError('no_complaint', 422, '短信只有统一社会信用代码，没有要反映的问题，不予登记');

export const smsAdapter: JsonChannelAdapter = {
  channel: 'sms',
  auth: 'hmac',
  schema: smsSchema,
  idField: 'msgId',
  parse(raw, now) {
    const m = parseWith(smsSchema, parseJsonObject(raw));
    const found = findCreditCode(m.text);
    if (found.code && !found.rest) throw onlyCreditCode();
    // A bare 满意 or 不满意 answers the centre's 办理结果 text: the route files it only as a reply to an issue
    // awaiting its rating (thread.ts ratingReplyIssue), and refuses it like any courtesy otherwise.
    const ratingReply = isBareRating(found.rest);
    if (isCourtesy(found.rest) && !ratingReply) throw noComplaint();
    checkReceivedAt(m.receivedAt, now);
    return {
      channel: 'sms',
      externalId: m.msgId,
      ...(m.receivedAt ? { receivedAt: m.receivedAt, raisedAt: m.receivedAt } : {}),
      content: found.code ? found.rest : m.text,
      enterprise: enterpriseHint(found.code, m.text),
      contact: { phone: m.from },
      ...(ratingReply ? { ratingReply } : {}),
    };
  },
  reply: jsonAck,
};

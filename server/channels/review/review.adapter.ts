// The 好差评 platform's bad-rating push (DESIGN §2, §10), HMAC-signed like the hotline:
// `{reviewId, creditCode?, enterpriseName?, contactName?, contactPhone?, serviceName?, departmentName?,
// level?, content, receivedAt?}`, where `level` is 不满意 or 非常不满意 and `content` the rater's comment. The
// issue's title names the service rated badly. Pure.
import { z } from 'zod';
import { LIMITS } from '../../../shared/schemas.ts';
import {
  creditCodeField,
  instantField,
  jsonAck,
  optionalText,
  parseJsonObject,
  parseWith,
  text,
  workOrderMessage,
  contactPhoneField,
  type JsonChannelAdapter,
} from '../json-channel.ts';

const reviewSchema = z.object({
  reviewId: text(LIMITS.externalId, 'reviewId'),
  creditCode: creditCodeField,
  enterpriseName: optionalText(100, '企业名称'),
  contactName: optionalText(50, '联系人'),
  contactPhone: contactPhoneField,
  serviceName: optionalText(100, '服务事项'),
  departmentName: optionalText(100, '评价部门'),
  level: z.preprocess(
    (v) => (v === '' || v === null ? undefined : v),
    z.enum(['不满意', '非常不满意'], { error: '差评等级只能是 不满意 或 非常不满意' }).optional(),
  ),
  content: text(LIMITS.content, '评价内容'),
  receivedAt: instantField,
});

export const reviewAdapter: JsonChannelAdapter = {
  channel: 'review',
  auth: 'hmac',
  idField: 'reviewId',
  parse(raw) {
    const r = parseWith(reviewSchema, parseJsonObject(raw));
    const subject = [r.departmentName, r.serviceName].filter(Boolean).join('·');
    const title = `好差评${r.level ?? '差评'}${subject ? `：${subject}` : ''}`.slice(0, LIMITS.title);
    return workOrderMessage('review', r.reviewId, { ...r, title });
  },
  reply: jsonAck,
};

// The 好差评 platform's bad-rating push (DESIGN §2, §10), HMAC-signed like the hotline:
// `{reviewId, creditCode?, enterpriseName?, contactName?, contactPhone?, serviceName?, departmentName?,
// level?, content, receivedAt?}`, where `level` is 不满意 or 非常不满意 and `content` the rater's comment. The
// issue's title names the service rated badly. Pure.
import { z } from 'zod';
import { LIMITS } from '../../../shared/schemas.ts';
import { AppError } from '../../errors.ts';
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
import { checkReceivedAt } from '../raised-at.ts';

/** The satisfied levels of the 好差评 scale, which the platform may push as well. */
const GOOD_LEVELS = ['非常满意', '满意', '基本满意'];

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
  // A bad rating without a comment is still one to follow up: its text says so (below).
  content: optionalText(LIMITS.content, '评价内容'),
  receivedAt: instantField,
});

export const reviewAdapter: JsonChannelAdapter = {
  channel: 'review',
  auth: 'hmac',
  schema: reviewSchema,
  idField: 'reviewId',
  parse(raw, now) {
    const body = parseJsonObject(raw);
    // A platform that pushes every rating sends good ones too: nothing to follow up, and no dead letter (each
    // one told every centre member 渠道消息处理失败).
    if (typeof body.level === 'string' && GOOD_LEVELS.includes(body.level.trim()))
      throw new AppError('not_bad_rating', 422, '只受理差评（不满意、非常不满意），好评无需登记');
    const r = parseWith(reviewSchema, body);
    checkReceivedAt(r.receivedAt, now);
    const subject = [r.departmentName, r.serviceName].filter(Boolean).join('·');
    const title = `好差评${r.level ?? '差评'}${subject ? `：${subject}` : ''}`.slice(0, LIMITS.title);
    const content =
      r.content ??
      `企业在「好差评」给出${r.level ?? '差评'}${subject ? `（${subject}）` : ''}，未填写评价内容，请回访了解原因。`;
    return workOrderMessage('review', r.reviewId, { ...r, title, content });
  },
  reply: jsonAck,
};

// The inbox API's inputs (zod, Chinese messages): the dead-letter list's query, discard's reason and 人工登记's
// body, which is POST /api/issues's own (shared/schemas) with the channel optional (it is the dead letter's) and
// the name of an enterprise the register does not know yet.
import { z } from 'zod';
import { INBOX_STATUSES } from '../../models/inbox.model.ts';
import { CHANNEL_IDS } from '../../../shared/states.ts';
import { issueCreateSchema, reasonSchema } from '../../../shared/schemas.ts';

const INBOX_MAX_LIMIT = 100;

export const listQuery = z.object({
  status: z.enum(INBOX_STATUSES, { error: '状态无效' }).default('failed'),
  channel: z.enum(CHANNEL_IDS, { error: '渠道无效' }).optional(),
  // Worded as GET /api/issues words its limit (routes/issues/issues.schema.ts).
  limit: z.coerce
    .number({ error: '条数必须是数字' })
    .int({ error: '条数必须是整数' })
    .min(1, { error: '条数至少为1' })
    .max(INBOX_MAX_LIMIT, { error: `条数不能超过${INBOX_MAX_LIMIT}` })
    .default(50),
  /** The id of the last entry of the previous page. */
  before: z
    .string({ error: '分页游标无效' })
    .regex(/^[0-9a-f]{24}$/i, { error: '分页游标无效' })
    .optional(),
});

export const discardBody = z.object({ reason: reasonSchema });

export const registerBody = issueCreateSchema.extend({
  channel: issueCreateSchema.shape.channel.optional(),
  enterpriseName: z
    .string({ error: '企业名称必须是文本' })
    .trim()
    .max(100, { error: '企业名称不能超过100个字符' })
    .optional()
    .transform((v) => (v ? v : undefined)),
});

// Query and header parsing for the issue endpoints. Action bodies come from shared/schemas (ACTION_SCHEMAS), the
// same schemas the web forms use.
import { z } from 'zod';
import {
  CATEGORY_IDS,
  CHANNEL_IDS,
  ISSUE_STATES,
  URGENCIES,
  WARNING_LEVELS,
} from '../../../shared/states.ts';
import { LATE_KINDS } from '../../../shared/kpi.ts';
import { LIST_SCOPES, LIST_SORTS, NO_UNIT } from '../../../shared/issue-list.ts';
import { objectIdSchema } from '../../http/validate.ts';
import { QUEUE_IDS, QUEUE_SORT } from '../../workbench/queues.ts';

export const LIST_DEFAULT_LIMIT = 20;
export const LIST_MAX_LIMIT = 100;
/** A page of whole issues (`view=cards`): the desk's cards, one request instead of one per card. */
export const CARDS_MAX_LIMIT = 20;

/** `state=received,dispatched` or a single value. */
const oneOrMore = <T extends readonly [string, ...string[]]>(values: T, label: string) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(values, { error: `${label}无效` })).min(1, { error: `${label}不能为空` }));

const instant = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), { error: '日期格式无效' })
  .transform((s) => new Date(s));

export const listIssuesQuery = z
  .object({
    state: oneOrMore(ISSUE_STATES, '状态').optional(),
    /** A unit, or `none`: issues no unit has been given (the dashboard's 未分派 row). */
    unitId: z.union([z.literal(NO_UNIT), objectIdSchema]).optional(),
    category: oneOrMore(CATEGORY_IDS, '问题类别').optional(),
    urgency: oneOrMore(URGENCIES, '紧急程度').optional(),
    warning: oneOrMore(WARNING_LEVELS, '预警等级').optional(),
    channel: oneOrMore(CHANNEL_IDS, '渠道').optional(),
    enterpriseId: objectIdSchema.optional(),
    /** Region of the enterprise (a county code or `city`): the KPI dashboard's drill-down. */
    region: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,39}$/, { error: '区域代码无效' })
      .optional(),
    /** Signed or closed late (a timeliness KPI's misses): the KPI dashboard's drill-down. */
    late: z.enum(LATE_KINDS, { error: 'late 只能是 sign（超期签收）或 reply（超期办结）' }).optional(),
    q: z.string().trim().min(1).max(100, { error: '搜索词不能超过100个字符' }).optional(),
    from: instant.optional(),
    to: instant.optional(),
    /** A to-do queue of the workbench (server/workbench/queues.ts); it opens in the queue's own order. */
    queue: z.enum(QUEUE_IDS, { error: '待办队列无效' }).optional(),
    /** `kpi`: a KPI's drill-down, listed within the KPI scope (screens.policy kpiDrillVisibility). */
    scope: z.enum(LIST_SCOPES, { error: `scope 只能是 ${LIST_SCOPES.join(' 或 ')}` }).optional(),
    sort: z.enum(LIST_SORTS, { error: `排序方式只能是 ${LIST_SORTS.join(' 或 ')}` }).optional(),
    limit: z.coerce
      .number({ error: '条数必须是数字' })
      .int({ error: '条数必须是整数' })
      .min(1, { error: '条数至少为1' })
      .max(LIST_MAX_LIMIT, { error: `条数不能超过${LIST_MAX_LIMIT}` })
      .default(LIST_DEFAULT_LIMIT),
    cursor: z.string().max(200).optional(),
    /** `cards`: a queue's page as whole issues (what GET /api/issues/:id answers), for the desk's cards. */
    view: z.enum(['cards'], { error: 'view 只能是 cards' }).optional(),
  })
  .superRefine((q, ctx) => {
    if (q.view !== 'cards') return;
    if (!q.queue || q.q)
      ctx.addIssue({
        code: 'custom',
        path: ['view'],
        message: 'view=cards 只用于待办队列（queue），且不能与搜索同用',
      });
    if (q.limit > CARDS_MAX_LIMIT)
      ctx.addIssue({ code: 'custom', path: ['limit'], message: `view=cards 每页最多${CARDS_MAX_LIMIT}条` });
  })
  .transform((q) => ({ ...q, sort: q.sort ?? (q.queue ? QUEUE_SORT[q.queue] : 'createdAt') }));
export type ListIssuesQuery = z.infer<typeof listIssuesQuery>;

/** `If-Match: 3` or `If-Match: "3"`: the issue version the client last saw. */
export const ifMatchHeader = z
  .string()
  .regex(/^"?\d{1,9}"?$/, { error: 'If-Match 须为问题的版本号' })
  .transform((s) => Number(s.replaceAll('"', '')))
  .optional();

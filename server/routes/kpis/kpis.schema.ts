// Query parsing for the KPI endpoints: groupBy, and the period as from/to (a date means 00:00 China time; `to`
// exclusive) or a month.
import { z } from 'zod';
import { DAY_MS } from '../../../shared/clock.ts';
import { KPI_GROUP_BYS } from '../../kpi/kpi.pipeline.ts';
import { monthOf, monthPeriod, parseInstant } from '../../kpi/kpi-period.ts';

/** Long enough for a few years' comparison; bounds the work of one request. */
export const MAX_PERIOD_DAYS = 3 * 366;

/** Years a KPI period may touch: the product's own era, and far from the edges of what a Date can hold. */
const YEARS = { first: 2000, last: 2099 } as const;

const instant = z
  .string()
  .refine((s) => !Number.isNaN(parseInstant(s).getTime()), { error: '日期格式无效', abort: true })
  .refine(
    (s) => {
      const year = parseInstant(s).getUTCFullYear();
      return year >= YEARS.first && year <= YEARS.last;
    },
    { error: `日期须在${YEARS.first}年至${YEARS.last}年之间` },
  )
  .transform(parseInstant);

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: '月份格式应为 YYYY-MM' });

const periodFields = { from: instant.optional(), to: instant.optional() };

/** from/to, defaulting to the current month (China time); a bad or too long range is a 400. */
function withPeriod<T extends { from?: Date; to?: Date }>(now: () => Date) {
  return (v: T, ctx: z.RefinementCtx) => {
    const current = monthPeriod(monthOf(now()));
    const from = v.from ?? (v.to ? new Date(v.to.getTime() - 30 * DAY_MS) : current.from);
    const to = v.to ?? (v.from ? now() : current.to);
    if (from >= to) ctx.addIssue({ code: 'custom', message: '开始日期须早于结束日期', path: ['from'] });
    else if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * DAY_MS)
      ctx.addIssue({ code: 'custom', message: `统计区间不能超过${MAX_PERIOD_DAYS}天`, path: ['to'] });
    return { ...v, from, to };
  };
}

export const kpiQuery = (now: () => Date) =>
  z
    .object({
      groupBy: z
        .enum(KPI_GROUP_BYS, { error: 'groupBy 只能是 unit、region、category 或 channel' })
        .default('unit'),
      ...periodFields,
      // `direct` forces the aggregation over the issues instead of the daily rollups (to compare the two).
      source: z.enum(['auto', 'direct'], { error: 'source 只能是 auto 或 direct' }).default('auto'),
    })
    .transform((v, ctx) => withPeriod<typeof v>(now)(v, ctx));

/** A period alone (the Excel export, the heat map). */
export const kpiPeriodQuery = (now: () => Date) =>
  z.object(periodFields).transform((v, ctx) => withPeriod<typeof v>(now)(v, ctx));
export const kpiExportQuery = kpiPeriodQuery;

export const monthlyReportQuery = (now: () => Date) =>
  z.object({ month: month.optional() }).transform((v) => v.month ?? monthOf(now()));

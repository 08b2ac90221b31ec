// Admin overrides of single days in the working calendar (an extra holiday, or a worked weekend the packaged
// arrangement lacks). Deadlines computed after the change use it; stored deadlines are not rewritten.
import { notFound } from '../../errors.ts';
import type { CalendarOverrideDoc, Models } from '../../models/index.ts';

export async function putCalendarOverride(
  models: Models,
  date: string,
  input: { kind: 'work' | 'off'; note?: string },
): Promise<CalendarOverrideDoc> {
  const saved = await models.CalendarOverride.findOneAndUpdate(
    { date },
    { $set: { kind: input.kind, note: input.note ?? '' } },
    { upsert: true, returnDocument: 'after', runValidators: true },
  ).lean();
  if (!saved) throw new Error('calendar override upsert returned nothing');
  return saved;
}

export async function deleteCalendarOverride(models: Models, date: string): Promise<void> {
  const { deletedCount } = await models.CalendarOverride.deleteOne({ date });
  if (deletedCount === 0) throw notFound('该日期没有调整记录');
}

// Field whitelists for admin-edited configuration: routing rules, calendar overrides and settings.
import type { CalendarOverrideDoc, RoutingRuleDoc, SettingDoc } from '../models/index.ts';

export function presentRoutingRule(r: RoutingRuleDoc) {
  return {
    id: String(r._id),
    category: r.category,
    region: r.region,
    unitId: String(r.unitId),
    coUnitIds: r.coUnitIds.map(String),
    priority: r.priority,
    keywords: [...r.keywords],
    enabled: r.enabled,
    updatedAt: r.updatedAt.toISOString(),
  };
}

export function presentCalendarOverride(o: Pick<CalendarOverrideDoc, 'date' | 'kind' | 'note'>) {
  return { date: o.date, kind: o.kind, note: o.note };
}

export function presentSetting(s: SettingDoc) {
  return { key: s.key, value: s.value, updatedAt: s.updatedAt.toISOString() };
}

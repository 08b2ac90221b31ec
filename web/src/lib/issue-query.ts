// The issue list's filters live in the address (/issues?state=…&unitId=…), so a dashboard number, a queue or
// a bookmark opens the list with exactly its filters, and a reload or a new tab keeps them.
import type { LocationQuery } from 'vue-router';
import {
  ISSUE_STATES,
  OPEN_STATES,
  PAST_DUE_WARNINGS as PAST_LIGHTS,
  STATE_LABELS,
  type IssueState,
} from '../../../shared/states.ts';

/** Filters the user sets on the list screen. */
export const EDITABLE_KEYS = [
  'q',
  'state',
  'category',
  'urgency',
  'warning',
  'channel',
  'unitId',
  'region',
  'sort',
  'from',
  'to',
] as const;
/** Filters that arrive from elsewhere (a drill-down or a queue) and show as removable tags. */
export const CONTEXT_KEYS = [
  'enterpriseId',
  'queue',
  // `sign` or `reply`: the issues a timeliness KPI missed (超期签收, 超期办结).
  'late',
  // `kpi`: a KPI's drill-down, listed within the KPI's scope.
  'scope',
] as const;
export type FilterKey = (typeof EDITABLE_KEYS)[number] | (typeof CONTEXT_KEYS)[number];
export type IssueFilters = Partial<Record<FilterKey, string>>;

export function filtersOf(query: LocationQuery): IssueFilters {
  const out: IssueFilters = {};
  for (const key of [...EDITABLE_KEYS, ...CONTEXT_KEYS]) {
    const v = query[key];
    if (typeof v === 'string' && v !== '') out[key] = v;
  }
  return out;
}

/** The route query for a set of filters (empty values dropped). */
export function queryOf(filters: IssueFilters): Record<string, string> {
  return Object.fromEntries(
    Object.entries(filters).filter(([, v]) => typeof v === 'string' && v !== ''),
  ) as Record<string, string>;
}

/** Sets of states a drill-down sends, by the name the dashboard counts them under. */
const NAMED_STATE_SETS: ReadonlyArray<{ states: readonly IssueState[]; label: string }> = [
  { states: OPEN_STATES, label: '未办结' },
  {
    states: ISSUE_STATES.filter((s) => s !== 'merged'),
    label: '不含已合并',
  },
];

/** A `state` filter in Chinese: one state's label, a named set, or the states' labels joined. */
export function stateSetLabel(value: string): string {
  const parts = value.split(',').filter(Boolean);
  const same = (set: readonly string[]) => set.length === parts.length && set.every((s) => parts.includes(s));
  const named = NAMED_STATE_SETS.find((n) => same(n.states));
  if (named) return named.label;
  return parts.map((p) => STATE_LABELS[p as IssueState] ?? p).join('、');
}

/** The lights of an issue past its deadline (shared/states.ts), as the list's `warning` filter takes them. */
export const PAST_DUE_WARNINGS = PAST_LIGHTS.join(',');

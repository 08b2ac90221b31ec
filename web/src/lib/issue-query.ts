// The issue list's filters live in the address (/issues?state=…&unitId=…), so a dashboard number, a queue or
// a bookmark opens the list with exactly its filters, and a reload or a new tab keeps them.
import type { LocationQuery } from 'vue-router';
import { REGION_CODES } from '../../../config/units.ts';
import { LATE_KINDS } from '../../../shared/kpi.ts';
import { LIST_SCOPES, LIST_SORTS, NO_UNIT } from '../../../shared/issue-list.ts';
import { QUEUE_IDS } from '../../../shared/queues.ts';
import {
  CATEGORY_IDS,
  CHANNEL_IDS,
  ISSUE_STATES,
  OPEN_STATES,
  PAST_DUE_WARNINGS as PAST_LIGHTS,
  STATE_LABELS,
  URGENCIES,
  WARNING_LEVELS,
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

/** The value kept of an address's filter: a known one (of a list, the known parts), or none. */
type Accept = (value: string) => string | undefined;
const oneOf =
  (known: readonly string[]): Accept =>
  (v) =>
    known.includes(v) ? v : undefined;
const someOf =
  (known: readonly string[]): Accept =>
  (v) =>
    v
      .split(',')
      .filter((p) => known.includes(p))
      .join(',') || undefined;
const objectId: Accept = (v) => (/^[0-9a-f]{24}$/i.test(v) ? v : undefined);
const instant: Accept = (v) => (Number.isNaN(Date.parse(v)) ? undefined : v);
/** What the list (GET /api/issues) understands of each filter; anything else is left out rather than sent. */
const ACCEPT: Readonly<Record<FilterKey, Accept>> = {
  q: (v) => v,
  state: someOf(ISSUE_STATES),
  category: someOf(CATEGORY_IDS),
  urgency: someOf(URGENCIES),
  warning: someOf(WARNING_LEVELS),
  channel: someOf(CHANNEL_IDS),
  unitId: (v) => (v === NO_UNIT ? v : objectId(v)),
  region: oneOf(REGION_CODES),
  sort: oneOf(LIST_SORTS),
  from: instant,
  to: instant,
  enterpriseId: objectId,
  queue: oneOf(QUEUE_IDS),
  late: oneOf(LATE_KINDS),
  scope: oneOf(LIST_SCOPES),
};

/**
 * The filters an address carries, and the keys it carried a value for that the list does not know (a typo, an
 * old bookmark, `state=bogus`): those are left out, so the list shows what the rest select and says so, instead
 * of a raw value in a select and a refusal.
 */
export function readFilters(query: LocationQuery): { filters: IssueFilters; ignored: FilterKey[] } {
  const filters: IssueFilters = {};
  const ignored: FilterKey[] = [];
  for (const key of [...EDITABLE_KEYS, ...CONTEXT_KEYS]) {
    const v = query[key];
    if (typeof v !== 'string' || v === '') continue;
    const kept = ACCEPT[key](v);
    if (kept) filters[key] = kept;
    if (kept !== v) ignored.push(key);
  }
  return { filters, ignored };
}

export function filtersOf(query: LocationQuery): IssueFilters {
  return readFilters(query).filters;
}

/** The filters' names as the filter bar shows them, for the note on what the address held that was left out. */
export const FILTER_LABELS: Readonly<Record<FilterKey, string>> = {
  q: '搜索',
  state: '状态',
  category: '类别',
  urgency: '紧急程度',
  warning: '预警',
  channel: '渠道',
  unitId: '承办单位',
  region: '区域',
  sort: '排序',
  from: '受理时间',
  to: '受理时间',
  enterpriseId: '企业',
  queue: '待办',
  late: '超期类型',
  scope: '统计范围',
};

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

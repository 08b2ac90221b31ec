// The dashboard's figures for a period and a grouping: the KPIs (with the previous period's), the category ×
// region heat map, the issues awaiting coordination (the monthly report's list) and the overdue stock, loaded
// together, again whenever the period or grouping changes and live when issues change.
import { computed, ref, watch, type Ref } from 'vue';
import type { HeatMapData } from '../components/charts/HeatMap.vue';
import { optional } from './api.ts';
import { currentOverdueQuery, type GroupBy, type KpiAnswer } from './kpis.ts';
import { useLiveRefresh } from './live.ts';
import { comparisonName, comparisonRange, reportMonthOf, type Period, type PeriodKind } from './period.ts';
import { serverNow } from './server-clock.ts';
import { useLoad } from './use-load.ts';
import type { IssueState, Tier, WarningLevel } from '../../../shared/states.ts';

/** An issue awaiting coordination (提级 or 市领导层级), as the monthly report lists it. */
export interface Awaiting {
  id: string;
  number: string;
  title: string;
  enterpriseName: string;
  unitName: string | null;
  tier: Tier;
  state: IssueState;
  warning?: WarningLevel;
  dueAt: string | null;
}

export function useDashboardFigures(
  period: Readonly<Ref<Period | null>>,
  groupBy: Readonly<Ref<GroupBy>>,
  kind: Readonly<Ref<PeriodKind>>,
) {
  const data = ref<KpiAnswer | null>(null);
  /** The period kind `data` was loaded for (the buttons move first; the comparison is named after the figures). */
  const dataKind = ref<PeriodKind>(kind.value);
  const heat = ref<HeatMapData | null>(null);
  const awaiting = ref<Awaiting[]>([]);
  /** How many await coordination in all; the report lists the ones due soonest. */
  const awaitingTotal = ref(0);
  const missing = ref(false);
  /** Open issues past their deadline now, whatever the period (null: the list could not count them). */
  const currentOverdue = ref<number | null>(null);

  /** 上月同期 while the month runs (the server cut last month at the same day and time), 上月 once it is over. */
  const compared = computed(() => {
    const previous = data.value?.previous;
    if (!previous) return null;
    const toDate = previous.periodToDate === true;
    const range =
      previous.from && previous.to ? comparisonRange({ from: previous.from, to: previous.to }) : '';
    const { from, to } = data.value ?? {};
    return {
      name: comparisonName(dataKind.value, toDate, from && to ? { from, to } : undefined),
      range,
      toDate,
    };
  });

  const { loading, error, load } = useLoad(async () => {
    const p = period.value;
    const asked = kind.value;
    if (!p) return;
    const [kpis, heatMap, report, overdueNow] = await Promise.all([
      optional<KpiAnswer>('/kpis', { groupBy: groupBy.value, from: p.from, to: p.to }),
      // The heat map covers the same period as the figures (a quarter, a year), not only its first month.
      optional<HeatMapData>('/kpis/heat-map', { from: p.from, to: p.to }).catch(() => null),
      optional<{ awaitingCoordination?: Awaiting[]; awaitingTotal?: number }>('/reports/monthly', {
        month: reportMonthOf(p, new Date(serverNow())),
      }).catch(() => null),
      // The issue list counts a KPI drill-down (its `total`): the overdue stock needs no figure of its own.
      optional<{ total?: number }>('/issues', { ...currentOverdueQuery(), limit: 1 }).catch(() => null),
    ]);
    missing.value = !kpis;
    data.value = kpis;
    dataKind.value = asked;
    heat.value = heatMap;
    awaiting.value = report?.awaitingCoordination ?? [];
    awaitingTotal.value = report?.awaitingTotal ?? awaiting.value.length;
    currentOverdue.value = overdueNow?.total ?? null;
  });
  watch([period, groupBy], () => load(), { immediate: true });
  useLiveRefresh(() => void load(), { delayMs: 3000 });

  return { data, heat, awaiting, awaitingTotal, missing, currentOverdue, compared, loading, error, load };
}

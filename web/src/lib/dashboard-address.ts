// The dashboard's choices kept in the address (the period kind, a custom range, the grouping), so Back from a
// drill-down returns to the same figures, and the period they make in China time.
import { computed, ref, watch } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import type { GroupBy } from './kpis.ts';
import { customPeriod, periodOf, type PeriodKind } from './period.ts';
import { serverMonth } from './server-clock.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const oneOf = <T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T =>
  allowed.includes(value as T) ? (value as T) : fallback;

export function useDashboardAddress() {
  const router = useRouter();
  const route = useRoute();
  const query = (key: string) => (typeof route.query[key] === 'string' ? route.query[key] : undefined);
  const kind = ref<PeriodKind>(
    oneOf(query('period'), ['month', 'quarter', 'year', 'custom'] as const, 'month'),
  );
  const [fromDay, toDay] = [query('from'), query('to')];
  const range = ref<[string, string] | null>(
    fromDay && toDay && DAY.test(fromDay) && DAY.test(toDay) ? [fromDay, toDay] : null,
  );
  const groupBy = ref<GroupBy>(
    oneOf(query('group'), ['unit', 'region', 'category', 'channel'] as const, 'unit'),
  );
  watch([kind, range, groupBy], () => {
    const custom = kind.value === 'custom' && range.value;
    void router.replace({
      query: {
        period: kind.value,
        group: groupBy.value,
        ...(custom ? { from: range.value![0], to: range.value![1] } : {}),
      },
    });
  });

  const period = computed(() => {
    if (kind.value === 'custom') return range.value ? customPeriod(range.value[0], range.value[1]) : null;
    // On the server's month: before the first answer has said the server's time, and again once it has.
    return periodOf(kind.value, new Date(`${serverMonth.value}-15T12:00:00+08:00`));
  });

  return { kind, range, groupBy, period };
}

// The date a form is about to promise: 会商决定 and 立项 set a time limit of N working days from now, and the
// person deciding should see the day it lands on (a holiday week moves it) before promising it. The server
// counts it (GET /api/calendar/due) with the calendar the deadline will use; the answer for an older N that
// arrives late is dropped.
import { ref, watch, type Ref } from 'vue';
import { api } from './api.ts';
import { chinaTimeWithWeekday } from './format.ts';

/** The instant `workingDays()` working days from now, as text; '' while unknown or not a valid count. */
export function useDuePreview(workingDays: () => unknown): Ref<string> {
  const text = ref('');
  let asked = 0;
  watch(
    workingDays,
    async (n) => {
      const ask = ++asked;
      text.value = '';
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) return;
      try {
        const { dueAt } = await api.get<{ dueAt: string }>('/calendar/due', { workingDays: n });
        if (ask === asked) text.value = chinaTimeWithWeekday(dueAt);
      } catch {
        // A preview only: without it the form still says the number of working days.
      }
    },
    { immediate: true },
  );
  return text;
}

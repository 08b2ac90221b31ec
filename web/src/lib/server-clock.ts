// The server's clock, as the staff app reads it: every API answer says the server's time (X-Server-Time, by the
// app's clock), and lights, countdowns, waiting times and "this month" count from it rather than from the
// device's own clock, which may be wrong (a PC set an hour off) or, under DEMO_CLOCK, not the app's at all.
// `now` is the one reactive instant the screens tick on (lib/countdown.ts).
import { computed, ref } from 'vue';

/** Server time minus device time, from the latest answer. */
let offsetMs = 0;
let synced = false;

/** Whether an answer has said the server's time yet (before it, serverNow is the device's clock). */
export const serverClockSynced = (): boolean => synced;

/** The server's current time, in ms since the epoch. */
export const serverNow = (): number => Date.now() + offsetMs;

export const now = ref(serverNow());

/** Whether the server runs a simulated clock (DEMO_CLOCK: its answers say `X-Clock: simulated`). */
export const simulatedClock = ref(false);

/**
 * The server's month in China (YYYY-MM). Reactive, but it changes only when the month does (an answer moves
 * the clock, a month ends), not on every tick: a screen keyed on it reloads then and only then.
 */
export const serverMonth = computed(() => new Date(now.value + 8 * 3_600_000).toISOString().slice(0, 7));

/** Takes the time an answer carried; a drift under a second is the network's, not news. */
export function syncServerClock(serverMs: number, receivedAt = Date.now()): void {
  if (!Number.isFinite(serverMs) || serverMs <= 0) return;
  synced = true;
  const offset = serverMs - receivedAt;
  if (Math.abs(offset - offsetMs) < 1000) return;
  offsetMs = offset;
  now.value = serverNow();
}

// The live countdown of a row: time left to its due instant, and its colour from the same light maths as the
// server (shared/sla warningLevel) when the row carries its deadlines; otherwise the light the server stored.
// One shared ticking `now`, on the server's clock (lib/server-clock.ts), serves every chip on the screen.
import { DEADLINE_LABELS, type DeadlineKind } from '../../../shared/running-deadline.ts';
import { warningLevel } from '../../../shared/sla.ts';
import { WARNING_LABELS, WARNING_LEVELS, type WarningLevel } from '../../../shared/states.ts';
import { now, serverNow } from './server-clock.ts';

export { now };

export interface ChipDeadlines {
  yellowAt: string;
  redAt: string;
  overdueAt: string;
  pausedAt?: string | null;
}

let ticking: ReturnType<typeof setInterval> | undefined;
let users = 0;

/** Starts the shared tick for one chip; returns the stop function. */
export function tick(everyMs = 30_000): () => void {
  users += 1;
  ticking ??= setInterval(() => (now.value = serverNow()), everyMs);
  return () => {
    users -= 1;
    if (users === 0) {
      clearInterval(ticking);
      ticking = undefined;
    }
  };
}

/** The clocks that make the issue's own light (the triage clock while 待受理, the handling clock after). */
export const isLightClock = (kind: string): boolean => kind === 'triage' || kind === 'resolve';

/**
 * An issue's 预警 light, the one the 红灯/已超期 filters, the counts and the notices go by: live from the clock
 * running in its state where that clock is the light's own (the triage clock while 待受理, the handling clock
 * after signing), else the light stored (a sign-for limit or a bad rating's check has a countdown of its own,
 * shown in its chip, but is not the issue's light).
 */
export function issueLight(
  running: (ChipDeadlines & { kind: string }) | null | undefined,
  stored: WarningLevel,
  at: number,
): WarningLevel {
  return running && isLightClock(running.kind) ? levelAt(running, stored, at) : stored;
}

/**
 * A list row's dot, beside the countdown of the deadline running in its state: the issue's light, unless that
 * countdown is of a limit that is not the light's own (签收时限, 核实时限) and is further gone, as a 待签收 issue
 * past its sign-for limit is while its handling clock is still green. The dot then takes that limit's colour and
 * its name (签收时限已过), so that it never reads 正常 beside 超时, and never claims the 红灯/已超期 that the
 * filters and counts give by the issue's light.
 */
export function rowDot(
  running: (ChipDeadlines & { kind: DeadlineKind; dueAt: string }) | null | undefined,
  stored: WarningLevel,
  at: number,
): { level: WarningLevel; label: string } {
  const light = issueLight(running, stored, at);
  const own = running && !isLightClock(running.kind) ? levelAt(running, stored, at) : light;
  if (!running || WARNING_LEVELS.indexOf(own) <= WARNING_LEVELS.indexOf(light))
    return { level: light, label: WARNING_LABELS[light] };
  const past = new Date(running.dueAt).getTime() <= at;
  return { level: own, label: `${DEADLINE_LABELS[running.kind]}${past ? '已过' : ''}` };
}

export function levelAt(
  deadlines: ChipDeadlines | null | undefined,
  stored: WarningLevel,
  at: number,
): WarningLevel {
  if (!deadlines) return stored;
  return warningLevel(
    {
      yellowAt: new Date(deadlines.yellowAt),
      redAt: new Date(deadlines.redAt),
      overdueAt: new Date(deadlines.overdueAt),
      pausedAt: deadlines.pausedAt ? new Date(deadlines.pausedAt) : null,
    },
    new Date(at),
  );
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** 剩 2天3小时 / 剩 45分钟 / 超时 1天2小时 (wall time: the precise working-day count is in the detail). */
export function remainingLabel(dueAt: string | null, at: number, paused = false): string {
  if (paused) return '已暂停计时';
  if (!dueAt) return '无时限';
  const ms = new Date(dueAt).getTime() - at;
  const abs = Math.abs(ms);
  const d = Math.floor(abs / DAY);
  const h = Math.floor((abs % DAY) / HOUR);
  const m = Math.max(1, Math.floor((abs % HOUR) / MIN));
  const span = d ? `${d}天${h}小时` : h ? `${h}小时${m}分` : `${m}分钟`;
  return ms >= 0 ? `剩 ${span}` : `超时 ${span}`;
}

/** 5 分钟 / 3 小时 / 1 天 4 小时 / 12 天: wall time since `since`, coarser as it grows (a queue's wait). */
export function elapsedLabel(since: string, at: number): string {
  const ms = Math.max(0, at - new Date(since).getTime());
  if (ms < HOUR) return `${Math.max(1, Math.floor(ms / MIN))} 分钟`;
  if (ms < DAY) return `${Math.floor(ms / HOUR)} 小时`;
  const d = Math.floor(ms / DAY);
  const h = Math.floor((ms % DAY) / HOUR);
  // The hours matter while the wait is a day or two; past that they are noise.
  return d < 3 && h ? `${d} 天 ${h} 小时` : `${d} 天`;
}

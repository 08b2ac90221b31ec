// 退单 as the dispatcher meets it again in 待分办: which units returned the issue, and the last return's
// reason and basis (from the timeline's return steps). A returned issue must not look new, and the unit that
// returned it must not be the one-click suggestion again.
import type { TimelineEntry } from './types.ts';

export interface ReturnStep {
  fromUnitId: string | null;
  reason: string;
  legalBasis: string | null;
  at: string;
}

export function returnsOf(timeline: readonly TimelineEntry[]): ReturnStep[] {
  return timeline
    .filter((e) => e.action === 'return')
    .map((e) => ({
      fromUnitId: typeof e.data?.fromUnitId === 'string' ? e.data.fromUnitId : null,
      reason: e.note ?? '',
      legalBasis: typeof e.data?.legalBasis === 'string' && e.data.legalBasis ? e.data.legalBasis : null,
      at: e.at,
    }));
}

/** The suggested unit, unless it already returned the issue (then nothing is preselected). */
export function preselectedUnit(suggested: string | undefined, returns: readonly ReturnStep[]): string {
  if (!suggested || returns.some((r) => r.fromUnitId === suggested)) return '';
  return suggested;
}

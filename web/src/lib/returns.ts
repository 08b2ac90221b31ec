// 退单 as the dispatcher meets it again in 待分办 (its card's `returns`, shared/issue-card.ts): the unit that
// returned it must not be the one-click suggestion again.
import type { ReturnStep } from '../../../shared/issue-card.ts';

/** The suggested unit, unless it already returned the issue (then nothing is preselected). */
export function preselectedUnit(suggested: string | undefined, returns: readonly ReturnStep[]): string {
  if (!suggested || returns.some((r) => r.fromUnitId === suggested)) return '';
  return suggested;
}

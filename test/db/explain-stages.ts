// Reading explain output in tests: the stages of a plan tree, depth first (FETCH, SORT_MERGE, IXSCAN, …).
import type { Document } from 'bson';

export function planStages(plan: Document | undefined, out: Document[] = []): Document[] {
  if (!plan) return out;
  out.push(plan);
  for (const s of plan.inputStages ?? []) planStages(s, out);
  return planStages(plan.inputStage, out);
}

/** The stage names of a plan tree, depth first. */
export const stageNames = (plan: Document): string[] => planStages(plan).map((s) => s.stage as string);

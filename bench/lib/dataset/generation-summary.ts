// What a generation run produced, counted as the issues go by: the state and light mix, timeline lengths, the
// per-year number sequences (the `counters` rows), how many open issues are due at the data set's now, an even
// sample of issue ids, and the busiest unit and enterprise (the list benchmark filters on them).
import type { RawIssue } from './issue-generator.ts';
import type { World } from './world.ts';

export interface GenerationSummary {
  issues: number;
  states: Record<string, number>;
  warnings: Record<string, number>;
  /** Highest number per China calendar year: the `counters` rows (`issue:<year>`). */
  counters: Record<string, number>;
  timeline: { min: number; mean: number; max: number };
  /** Issues whose nextCheckAt ≤ asOf among the open ones. */
  dueAtAsOf: number;
  sampleIssueIds: string[];
  busiestUnitId: string | null;
  busiestEnterpriseId: string | null;
  maxIssuesPerEnterprise: number;
}

export const FINISHED: ReadonlySet<string> = new Set(['closed', 'merged', 'rejected']);
const SAMPLE_IDS = 2000;

const bump = (counts: Record<string, number>, key: string) => (counts[key] = (counts[key] ?? 0) + 1);

export class SummaryTally {
  private readonly s: GenerationSummary = {
    issues: 0,
    states: {},
    warnings: {},
    counters: {},
    timeline: { min: Infinity, mean: 0, max: 0 },
    dueAtAsOf: 0,
    sampleIssueIds: [],
    busiestUnitId: null,
    busiestEnterpriseId: null,
    maxIssuesPerEnterprise: 0,
  };
  private readonly unitCounts = new Map<string, number>();
  private readonly enterpriseCounts: Uint32Array;
  private readonly sampleEvery: number;

  constructor(
    total: number,
    enterprises: number,
    private readonly asOf: number,
  ) {
    this.enterpriseCounts = new Uint32Array(enterprises);
    this.sampleEvery = Math.max(1, Math.floor(total / SAMPLE_IDS));
  }

  /** The next number in a China calendar year's sequence (1 for a fresh year). */
  nextSequence(year: string): number {
    return bump(this.s.counters, year);
  }

  add(i: number, doc: RawIssue, enterpriseIndex: number): void {
    const s = this.s;
    s.issues += 1;
    bump(s.states, doc.state);
    bump(s.warnings, doc.warning as string);
    const n = doc.timeline.length;
    s.timeline.min = Math.min(s.timeline.min, n);
    s.timeline.max = Math.max(s.timeline.max, n);
    s.timeline.mean += n;
    const next = (doc.nextCheckAt as Date | null)?.getTime();
    if (next !== undefined && next <= this.asOf && !FINISHED.has(doc.state)) s.dueAtAsOf += 1;
    if (i % this.sampleEvery === 0 && s.sampleIssueIds.length < SAMPLE_IDS)
      s.sampleIssueIds.push(doc._id.toHexString());
    if (doc.unitId) {
      const unit = String(doc.unitId);
      this.unitCounts.set(unit, (this.unitCounts.get(unit) ?? 0) + 1);
    }
    this.enterpriseCounts[enterpriseIndex] += 1;
  }

  result(world: World): GenerationSummary {
    let unit: [string, number] | null = null;
    for (const e of this.unitCounts) if (!unit || e[1] > unit[1]) unit = e;
    let enterprise = -1;
    this.enterpriseCounts.forEach((n, i) => {
      if (enterprise < 0 || n > this.enterpriseCounts[enterprise]) enterprise = i;
    });
    const s = this.s;
    return {
      ...s,
      timeline: { ...s.timeline, mean: s.timeline.mean / Math.max(1, s.issues) },
      busiestUnitId: unit?.[0] ?? null,
      busiestEnterpriseId: enterprise >= 0 ? world.enterprises[enterprise]._id.toHexString() : null,
      maxIssuesPerEnterprise: enterprise >= 0 ? this.enterpriseCounts[enterprise] : 0,
    };
  }
}

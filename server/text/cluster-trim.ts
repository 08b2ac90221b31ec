// What a finished cluster lets out (cluster.ts): texts far from the rest of it on average, texts whose causes
// are none of the cluster's, and a local class's texts from other regions. Each answers the slots (indexes
// into the clustering's order) that leave; the caller keeps the members the previous run held. Pure.
import type { SparseVector } from './features.ts';
import { causesDiffer, type Causes } from './causes.ts';
import type { ClusterItem } from './cluster.ts';

/**
 * The slots of a group's texts that are far from the rest of it: their average similarity (with the region
 * bonus) to the other texts is below `share` of the group's mean. Groups under four texts are left whole.
 */
export function strays(
  slots: readonly number[],
  order: readonly ClusterItem[],
  vectors: readonly SparseVector[],
  regionBonus: number,
  share: number,
): number[] {
  const n = slots.length;
  if (n < 4 || share <= 0) return [];
  const sum = new Map<number, number>();
  const regions = new Map<string, number>();
  for (const k of slots) {
    const v = vectors[k];
    v.ids.forEach((id, i) => sum.set(id, (sum.get(id) ?? 0) + v.values[i]));
    const r = order[k].region;
    if (r) regions.set(r, (regions.get(r) ?? 0) + 1);
  }
  const average = slots.map((k) => {
    const v = vectors[k];
    let others = 0;
    v.ids.forEach((id, i) => (others += v.values[i] * (sum.get(id)! - v.values[i])));
    const r = order[k].region;
    return (others + regionBonus * (r ? regions.get(r)! - 1 : 0)) / (n - 1);
  });
  const mean = average.reduce((a, b) => a + b, 0) / n;
  return slots.filter((_, i) => average[i] < share * mean);
}

/**
 * The slots of a group's texts whose causes are none of the group's: the families named by at least `share` of
 * the texts that name any (and by at least two texts). Groups with no such family are left whole.
 */
export function otherCauses(slots: readonly number[], causes: readonly Causes[], share: number): number[] {
  if (share <= 0 || slots.length < 3) return [];
  const counts = new Map<number, number>();
  let naming = 0;
  for (const k of slots) {
    if (causes[k].length) naming++;
    for (const family of causes[k]) counts.set(family, (counts.get(family) ?? 0) + 1);
  }
  const common = [...counts].filter(([, n]) => n >= 2 && n >= share * naming).map(([family]) => family);
  return common.length ? slots.filter((k) => causesDiffer(causes[k], common)) : [];
}

/**
 * The slots of a group's texts from other regions when the group is a local class (at least `from` texts of
 * one region, and `share` of all its texts).
 */
export function outsiders(
  slots: readonly number[],
  order: readonly ClusterItem[],
  share: number,
  from: number,
): number[] {
  const counts = new Map<string, number>();
  for (const k of slots) {
    const r = order[k].region;
    if (r) counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  let main = '';
  for (const [r, n] of counts) if (n > (counts.get(main) ?? 0)) main = r;
  const n = counts.get(main) ?? 0;
  if (n < from || n / slots.length < share) return [];
  return slots.filter((k) => order[k].region && order[k].region !== main);
}

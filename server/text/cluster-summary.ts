// What a leader reads of a cluster (issue 7 §3): the member closest to the centroid as its representative
// text, the strongest words of the centroid as keywords, member and enterprise counts, regions, units and the
// oldest member's age. Pure: the members and their vectors come in, `now` is not needed (ages are computed
// from oldestAt where shown).
import { type ClusterIndex } from './cluster.ts';
import { readsAsTopic } from './segment.ts';

export interface SummaryMember {
  id: string;
  text: string;
  enterpriseId: string;
  region: string;
  unitId: string | null;
  unitName: string | null;
  createdAt: Date;
}

export interface ClusterSummaryView {
  representativeId: string;
  representativeText: string;
  keywords: string[];
  memberCount: number;
  enterpriseCount: number;
  regions: string[];
  units: { id: string; name: string }[];
  oldestAt: Date;
  newestAt: Date;
}

const KEYWORDS = 6;
const WORD = /^\p{Script=Han}{2,}$/u;
/** Words any complaint uses whatever its topic (who answered, what was done): no keyword for a class. */
const BOILERPLATE = new Set([
  ...'办理 答复 回复 理解 能够 得到 面临 没有 显示 合计'.split(' '),
  ...'过于 无法 进展 表示 要求 至今 仍然 多次 本季度 近期'.split(' '),
]);

/** Distinct values, most frequent first (ties in first-seen order). */
function byFrequency<T>(values: readonly T[], key: (v: T) => string = String): T[] {
  const counts = new Map<string, { v: T; n: number; at: number }>();
  values.forEach((v, at) => {
    const k = key(v);
    const c = counts.get(k);
    if (c) c.n++;
    else counts.set(k, { v, n: 1, at });
  });
  return [...counts.values()].sort((a, b) => b.n - a.n || a.at - b.at).map((c) => c.v);
}

const isKeyword = (term: string) => WORD.test(term) && !BOILERPLATE.has(term) && readsAsTopic(term);

export function summariseCluster(members: readonly SummaryMember[], index: ClusterIndex): ClusterSummaryView {
  if (!members.length) throw new Error('summariseCluster: a cluster has at least one member');
  const centroid = new Map<number, number>();
  for (const m of members) {
    const v = index.vectors.get(m.id);
    v?.ids.forEach((id, k) => centroid.set(id, (centroid.get(id) ?? 0) + v.values[k]));
  }
  let best = members[0];
  let bestScore = -1;
  for (const m of members) {
    const v = index.vectors.get(m.id);
    let score = 0;
    v?.ids.forEach((id, k) => (score += (centroid.get(id) ?? 0) * v.values[k]));
    // Prefer a text of ordinary length: a one-line WeChat message is a poor headline for the class.
    const len = [...m.text].length;
    score *= len < 15 ? 0.8 : 1;
    if (score > bestScore) [best, bestScore] = [m, score];
  }
  // Keywords: dictionary words only (bigrams are for matching, not for reading) that can name a topic (not 本月,
  // 三次 or 之间), weighted by how many members share them, so one long text cannot fill the list.
  const df = new Map<number, number>();
  for (const m of members)
    for (const id of index.vectors.get(m.id)?.ids ?? []) df.set(id, (df.get(id) ?? 0) + 1);
  const keywords = [...centroid]
    .filter(([id]) => isKeyword(index.vocab.terms[id]))
    .sort((a, b) => b[1] * (df.get(b[0]) ?? 1) - a[1] * (df.get(a[0]) ?? 1) || a[0] - b[0])
    .slice(0, KEYWORDS)
    .map(([id]) => index.vocab.terms[id]);
  const times = members.map((m) => m.createdAt.getTime());
  const units = byFrequency(
    members.filter((m) => m.unitId).map((m) => ({ id: m.unitId!, name: m.unitName ?? '' })),
    (u) => u.id,
  );
  return {
    representativeId: best.id,
    representativeText: best.text,
    keywords,
    memberCount: members.length,
    enterpriseCount: new Set(members.map((m) => m.enterpriseId)).size,
    regions: byFrequency(members.map((m) => m.region)),
    units,
    oldestAt: new Date(Math.min(...times)),
    newestAt: new Date(Math.max(...times)),
  };
}

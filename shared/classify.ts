// A pure keyword classifier for intake (DESIGN §3: classification decides whether triage can be skipped).
// Category scores count the distinct keywords found, weighted by length (longer phrases are more specific);
// urgency comes from cue words. Confidence reflects both the strength of the evidence and the margin over the
// runner-up, so an ambiguous text waits for a dispatcher.

import type { CategoryId, Urgency } from './states.ts';

export interface CategoryKeywords {
  id: CategoryId;
  keywords: readonly string[];
}

export interface ClassifyResult {
  category: CategoryId;
  urgency: Urgency;
  /** 0..1; 0 when no keyword matched. */
  confidence: number;
  /** Keywords that decided the category, for explaining the guess to staff. */
  matched: string[];
}

export const URGENCY_CUES: Readonly<Record<Exclude<Urgency, 'normal'>, readonly string[]>> = Object.freeze({
  critical: [
    '停产',
    '停工',
    '停业',
    '安全',
    '火灾',
    '着火',
    '爆炸',
    '泄漏',
    '中毒',
    '伤亡',
    '坍塌',
    '断电',
    '危险',
  ],
  urgent: ['紧急', '尽快', '急需', '加急', '迫切', '马上', '立即', '刻不容缓', '眼看', '即将到期'],
  complex: [
    '多部门',
    '多个部门',
    '跨部门',
    '跨区域',
    '跨区县',
    '历史遗留',
    '多次反映',
    '长期未解决',
    '涉及多',
  ],
});

const NEGATIONS = ['不', '无', '非', '没有'];
/** Evidence (in keyword characters) that counts as fully convincing. */
const STRONG_EVIDENCE = 6;

function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
}

/** Whether `cue` occurs in `text` other than right after a negation (不紧急, 无安全隐患). */
function hasCue(text: string, cue: string): boolean {
  for (let i = text.indexOf(cue); i >= 0; i = text.indexOf(cue, i + 1)) {
    const before = text.slice(Math.max(0, i - 2), i);
    if (!NEGATIONS.some((n) => before.endsWith(n))) return true;
  }
  return false;
}

/** Critical beats urgent beats complex: safety first, then speed, then coordination. */
export function urgencyOf(text: string): Urgency {
  const t = normalise(text);
  for (const level of ['critical', 'urgent', 'complex'] as const) {
    if (URGENCY_CUES[level].some((cue) => hasCue(t, cue))) return level;
  }
  return 'normal';
}

function scoreCategories(text: string, categories: readonly CategoryKeywords[]) {
  return categories.map((c, order) => {
    const matched = [...new Set(c.keywords)].filter((k) => k && text.includes(normalise(k)));
    return { id: c.id, order, matched, score: matched.reduce((sum, k) => sum + [...k].length, 0) };
  });
}

export function classify(text: string, categories: readonly CategoryKeywords[]): ClassifyResult {
  if (categories.length === 0) throw new RangeError('classify: 至少需要一个问题类别');
  const t = normalise(text);
  const urgency = urgencyOf(text);
  const ranked = scoreCategories(t, categories).sort((a, b) => b.score - a.score || a.order - b.order);
  const [best, second] = ranked;
  if (best.score === 0) return { category: categories[0].id, urgency, confidence: 0, matched: [] };
  const runnerUp = second?.score ?? 0;
  const strength = Math.min(1, best.score / STRONG_EVIDENCE);
  const margin = (best.score - runnerUp) / best.score;
  const confidence = Math.round(strength * (0.5 + 0.5 * margin) * 100) / 100;
  return { category: best.id, urgency, confidence, matched: best.matched };
}

// Scores of a model on labelled texts: category and urgency accuracy, how many texts clear the confidence
// threshold and how many of those are right, and the category confusion matrix. Training stores these with
// each model version; the quality test asserts them; admins read them.
import type { CategoryKeywords } from '../../shared/classify.ts';
import { CATEGORY_IDS } from '../../shared/states.ts';
import type { ModelScores } from '../../shared/text-quality.ts';
import { classifyText } from './classify-text.ts';
import type { LabelledText, TextModel } from './text-model.ts';
import type { CueFamilies } from './urgency-rules.ts';

export type { ModelScores };

const ratio = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 10_000) / 10_000);

export function evaluateModel(
  model: TextModel,
  keywords: readonly CategoryKeywords[],
  texts: readonly Pick<LabelledText, 'text' | 'category' | 'urgency'>[],
  threshold: number,
  cues?: CueFamilies,
): ModelScores {
  const confusion = Object.fromEntries(
    CATEGORY_IDS.map((a) => [a, Object.fromEntries(CATEGORY_IDS.map((p) => [p, 0]))]),
  ) as ModelScores['confusion'];
  let cat = 0;
  let urg = 0;
  let confident = 0;
  let confidentRight = 0;
  for (const t of texts) {
    const r = classifyText(model, keywords, t.text, cues);
    confusion[t.category][r.category]++;
    if (r.category === t.category) cat++;
    if (r.urgency === t.urgency) urg++;
    if (r.confidence >= threshold) {
      confident++;
      if (r.category === t.category) confidentRight++;
    }
  }
  return {
    n: texts.length,
    categoryAccuracy: ratio(cat, texts.length),
    urgencyAccuracy: ratio(urg, texts.length),
    threshold,
    coverage: ratio(confident, texts.length),
    confidentAccuracy: confident ? ratio(confidentRight, confident) : null,
    confusion,
  };
}

/** The confusion matrix as aligned text rows (actual down, predicted across), for logs and tests. */
export function formatConfusion(confusion: ModelScores['confusion']): string {
  const ids = CATEGORY_IDS;
  const w = Math.max(...ids.map((id) => id.length)) + 1;
  const head = ''.padEnd(w) + ids.map((id) => id.slice(0, 5).padStart(6)).join('');
  const rows = ids.map(
    (a) => a.padEnd(w) + ids.map((p) => String(confusion[a][p] || '.').padStart(6)).join(''),
  );
  return [head, ...rows].join('\n');
}

// The trained classifier as the 分类模型 tab reads it (GET /api/classify/model, POST /api/classify/retrain):
// the model in use, its held-out scores against the bars issue 7 set (shared/text-quality.ts, which
// test/text/classifier-quality.test.ts asserts), and its confusion matrix as rows people read.
import { CATEGORY_IDS, type CategoryId } from '../../../shared/states.ts';
import { TEXT_QUALITY_BARS, type ModelScores } from '../../../shared/text-quality.ts';
import { api } from './api.ts';
import { categoryLabel } from './format.ts';

export type TrainingTrigger = 'startup' | 'schedule' | 'manual';

export type { ModelScores };

/** server/text/classifier.service.ts ModelSummary, dates as ISO strings. */
export interface ModelSummary {
  version: number;
  trainedAt: string;
  trigger: TrainingTrigger;
  /** An admin's user id, or `system`. */
  trainedBy: string;
  examples: { corpus: number; people: number };
  trainingMs: number;
  /** null when the corpus has no held-out set. */
  scores: ModelScores | null;
}

export interface ModelStatus {
  /** null until the first training finishes (keyword rules classify meanwhile). */
  active: ModelSummary | null;
  training: boolean;
  /** The confidence threshold in effect now (the scores were computed at theirs). */
  threshold: number;
}

export const fetchModelStatus = () => api.get<ModelStatus>('/classify/model');
/** Resolves when the new model is trained and in use (a run already under way is joined). */
export const retrainModel = () => api.post<{ active: ModelSummary }>('/classify/retrain');

export const TRIGGER_LABELS: Record<TrainingTrigger, string> = {
  manual: '手动',
  schedule: '定时',
  startup: '首次',
};

type ScoreKey = keyof typeof TEXT_QUALITY_BARS;
export interface ScoreBar {
  key: ScoreKey;
  label: string;
  hint: string;
}

export const SCORE_BARS: readonly ScoreBar[] = [
  { key: 'categoryAccuracy', label: '类别准确率', hint: '模型判定的类别与人工标注一致' },
  { key: 'urgencyAccuracy', label: '紧急程度准确率', hint: '判定的紧急程度与人工标注一致' },
  { key: 'coverage', label: '置信阈值以上占比', hint: '可不经分办员直接自动分办的比例' },
  { key: 'confidentAccuracy', label: '其中准确率', hint: '自动分办部分的类别准确率' },
];

/** `93.1%` (one decimal, as the scores carry four); `—` when there is nothing to show. */
export function percent(x: number | null | undefined): string {
  return x === null || x === undefined ? '—' : `${(Math.round(x * 1000) / 10).toFixed(1)}%`;
}

export interface ScoreFigure extends ScoreBar {
  /** The least the issue accepts. */
  bar: number;
  value: number | null;
  met: boolean;
}

export function scoreFigures(scores: ModelScores): ScoreFigure[] {
  return SCORE_BARS.map((b) => {
    const value = scores[b.key];
    const bar = TEXT_QUALITY_BARS[b.key];
    return { ...b, bar, value, met: value !== null && value >= bar };
  });
}

export interface ConfusionRow {
  id: CategoryId;
  label: string;
  /** Counts by predicted category, in CATEGORY_IDS order. */
  cells: { id: CategoryId; count: number }[];
  total: number;
  /** Share of this category's texts the model got right (null: none in the held-out set). */
  recall: number | null;
}

export function confusionRows(confusion: ModelScores['confusion']): ConfusionRow[] {
  return CATEGORY_IDS.map((a) => {
    const cells = CATEGORY_IDS.map((p) => ({ id: p, count: confusion[a]?.[p] ?? 0 }));
    const total = cells.reduce((s, c) => s + c.count, 0);
    return {
      id: a,
      label: categoryLabel(a),
      cells,
      total,
      recall: total ? (confusion[a]?.[a] ?? 0) / total : null,
    };
  });
}

/** The most frequent mistakes, worst first: 「税费收费 → 政策兑现 3 条」. */
export function topConfusions(rows: readonly ConfusionRow[], limit = 3): string[] {
  return rows
    .flatMap((r) =>
      r.cells
        .filter((c) => c.id !== r.id && c.count > 0)
        .map((c) => ({ from: r.label, to: c.id, n: c.count })),
    )
    .sort((x, y) => y.n - x.n)
    .slice(0, limit)
    .map((m) => `${m.from} → ${categoryLabel(m.to)} ${m.n} 条`);
}

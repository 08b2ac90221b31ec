// How a text model scores on labelled texts, and the quality bars issue 7 sets on the held-out texts: what
// training stores (server/text/evaluate.ts), the quality test asserts and the admin's 分类模型 screen shows.
import type { CategoryId } from './states.ts';

export interface ModelScores {
  /** How many texts were evaluated. */
  n: number;
  categoryAccuracy: number;
  urgencyAccuracy: number;
  threshold: number;
  /** Share of texts whose confidence is at or above the threshold. */
  coverage: number;
  /** Category accuracy among those texts (null when none clear it). */
  confidentAccuracy: number | null;
  /** confusion[actual][predicted] counts, over CATEGORY_IDS. */
  confusion: Record<CategoryId, Record<CategoryId, number>>;
}

export const TEXT_QUALITY_BARS = Object.freeze({
  /** Top-1 category accuracy. */
  categoryAccuracy: 0.9,
  urgencyAccuracy: 0.9,
  /** Share of texts at or above the confidence threshold (dispatched without a clerk). */
  coverage: 0.7,
  /** Category accuracy among those. */
  confidentAccuracy: 0.97,
});

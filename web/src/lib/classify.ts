// POST /api/classify as the screens use it: the whole answer (category, urgency, confidence, the classifier's
// ranked guesses and its evidence) and the guesses as people read them.
import type { CategoryId } from '../../../shared/states.ts';
import type { CueFamily } from '../../../shared/urgency-cues.ts';
import { api } from './api.ts';
import type { Suggestion } from './types.ts';

export interface Guess {
  category: CategoryId;
  label: string;
  /** 0..1 */
  probability: number;
}

export interface Classification extends Suggestion {
  /** Whether intake would take the category without a clerk. */
  confident: boolean;
  /** The most likely categories, best first (the first is the chosen one). */
  alternatives: Guess[];
  matched: string[];
  evidence: { cues: { cue: string; family: CueFamily }[] };
  source: 'model' | 'memory' | 'rules';
}

export const classify = (text: string) => api.post<Classification>('/classify', { text });

export const pct = (x: number) => `${Math.round(x * 100)}%`;

/** The other categories worth naming after the chosen one, as 「label NN%」. */
export function runnersUp(c: Classification): string {
  return c.alternatives
    .filter((a) => a.category !== c.category && a.probability >= 0.01)
    .map((a) => `${a.label} ${pct(a.probability)}`)
    .join('、');
}

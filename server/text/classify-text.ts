// Classifying one text with a trained model: the category's probabilities (top three as alternatives), the
// urgency from the urgency model (whose features include the rule cues), and the evidence staff see: the admin
// keywords it contains, the urgency cues (the admin's, when given), and the words that weighed most for the
// chosen category. Without a model yet (first start, still training) the keyword rules of shared/classify and
// the urgency cues answer alone.
import { classify as keywordClassify, type CategoryKeywords } from '../../shared/classify.ts';
import type { CategoryId, Urgency } from '../../shared/states.ts';
import { vectorize } from './features.ts';
import { contributions, predictProba } from './linear.ts';
import type { TextModel } from './text-model.ts';
import { compileKeywords, textFeatures, textHash } from './text-features.ts';
import { ruleUrgency, type CueFamilies, type CueHit } from './urgency-rules.ts';

export interface CategoryGuess {
  category: CategoryId;
  /** 0..1 */
  probability: number;
}

export interface ClassificationEvidence {
  /** Admin keywords found in the text that belong to the chosen category. */
  keywords: string[];
  /** Urgency cues found (negated ones excluded). */
  cues: CueHit[];
  /** Words that pushed most towards the chosen category. */
  terms: string[];
}

export interface TextClassification {
  category: CategoryId;
  urgency: Urgency;
  /** Probability of the chosen category, 0..1. */
  confidence: number;
  urgencyConfidence: number;
  /** The three most likely categories, best first (the first is `category`). */
  alternatives: CategoryGuess[];
  evidence: ClassificationEvidence;
  /** model: the trained model; memory: a text people labelled; rules: no model yet. */
  source: 'model' | 'memory' | 'rules';
}

const ALTERNATIVES = 3;
const EVIDENCE_TERMS = 5;
const round = (x: number) => Math.round(x * 1000) / 1000;

function topTerms(model: TextModel, classIndex: number, x: ReturnType<typeof vectorize>): string[] {
  return contributions(model.category, classIndex, x)
    .filter((c) => c.value > 0)
    .map((c) => model.vocab.terms[c.id])
    .filter((t) => !t.startsWith('kw:') && !t.startsWith('cue:'))
    .slice(0, EVIDENCE_TERMS)
    .map((t) => (t.startsWith('#') ? t.slice(1) : t));
}

export function classifyText(
  model: TextModel | null,
  keywords: readonly CategoryKeywords[],
  text: string,
  /** The urgency cues in effect (the defaults when absent). */
  cues?: CueFamilies,
): TextClassification {
  const f = textFeatures(text, compileKeywords(keywords, cues));
  if (!model) return byRules(keywords, text, f.cueHits);
  const x = vectorize(model.vocab, f.tokens);
  const p = predictProba(model.category, x);
  const ranked = model.category.classes
    .map((category, i) => ({ category, probability: p[i], i }))
    .sort((a, b) => b.probability - a.probability);
  const pu = predictProba(model.urgency, x);
  let u = 0;
  for (let i = 1; i < pu.length; i++) if (pu[i] > pu[u]) u = i;
  const remembered = model.memory.get(textHash(f.normalised));
  const category = remembered?.category ?? ranked[0].category;
  const best = ranked.find((r) => r.category === category)!;
  // A text with no word the model knows is a guess from the class priors, not evidence: no confidence, and
  // the urgency the rules give it (一般 without a cue), never the priors' (a bare "满意" filed as 紧急).
  const known = x.ids.length > 0;
  return {
    category,
    urgency: remembered?.urgency ?? (known ? model.urgency.classes[u] : ruleUrgency(f.cueHits)),
    confidence: remembered ? 1 : known ? round(best.probability) : 0,
    urgencyConfidence: remembered ? 1 : known ? round(pu[u]) : 0,
    alternatives: [best, ...ranked.filter((r) => r !== best)]
      .slice(0, ALTERNATIVES)
      .map((r) => ({ category: r.category, probability: round(r.probability) })),
    evidence: {
      keywords: f.keywordHits.filter((h) => h.category === category).map((h) => h.keyword),
      cues: f.cueHits,
      terms: topTerms(model, best.i, x),
    },
    source: remembered ? 'memory' : 'model',
  };
}

function byRules(keywords: readonly CategoryKeywords[], text: string, cues: CueHit[]): TextClassification {
  const r = keywordClassify(text, keywords);
  return {
    category: r.category,
    urgency: ruleUrgency(cues),
    confidence: r.confidence,
    urgencyConfidence: cues.length ? 0.6 : 0.5,
    alternatives: [{ category: r.category, probability: r.confidence }],
    evidence: { keywords: r.matched, cues, terms: [] },
    source: 'rules',
  };
}

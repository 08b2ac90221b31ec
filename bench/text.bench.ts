/**
 * The text core (issue 7): classifier throughput on one core against jieba's cut alone, retraining on 10,000
 * labelled texts, and the duplicate check of one new message against 1,000 open issues of its enterprise.
 * Texts come from server/text/corpus/train.jsonl (repeated with a numbered suffix to reach 10,000).
 */
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { CATEGORIES } from '../config/categories.ts';
import { DAY_MS } from '../shared/clock.ts';
import { classifyText } from '../server/text/classify-text.ts';
import { loadTrainingCorpus } from '../server/text/corpus.ts';
import { findRepeat, type RepeatCandidate } from '../server/text/repeat.ts';
import { dot, vectorize, type SparseVector } from '../server/text/features.ts';
import { compileKeywords, textFeatures } from '../server/text/text-features.ts';
import { trainTextModel } from '../server/text/text-model.ts';
import { heading, note, report } from './lib/report.ts';

const corpus = loadTrainingCorpus();
if (corpus.length === 0) throw new Error('server/text/corpus/train.jsonl is missing');

/** Runs `fn` over the texts, round after round, for about `ms`; returns texts per second. */
function throughput(texts: readonly string[], fn: (text: string) => unknown, ms = 3000): number {
  let n = 0;
  const started = performance.now();
  while (performance.now() - started < ms) {
    for (const t of texts) fn(t);
    n += texts.length;
  }
  return n / ((performance.now() - started) / 1000);
}

heading('text: classifier');
let started = performance.now();
const model = trainTextModel(corpus, CATEGORIES);
const corpusTrainMs = performance.now() - started;
note(`model trained on ${corpus.length} corpus texts in ${corpusTrainMs.toFixed(0)} ms`);
const texts = corpus.map((r) => r.text);
const jieba = Jieba.withDict(dict);
const cutOnly = throughput(texts, (t) => jieba.cut(t, false));
const classified = throughput(texts, (t) => classifyText(model, CATEGORIES, t));
report({
  name: 'classify (category, urgency, evidence)',
  value: classified,
  unit: 'texts/s',
  baseline: { name: 'jieba cut alone', value: cutOnly },
  target: '≥ 5,000 texts/s on one core',
});

heading('text: retraining');
const big = Array.from({ length: 10_000 }, (_, i) => {
  const r = corpus[i % corpus.length];
  return { ...r, text: i < corpus.length ? r.text : `${r.text}（第${i}条）` };
});
started = performance.now();
trainTextModel(big, CATEGORIES);
const retrainMs = performance.now() - started;
report({
  name: 'retrain on 10,000 labelled texts',
  value: retrainMs / 1000,
  unit: 's',
  baseline: { name: `train on the ${corpus.length}-text corpus`, value: corpusTrainMs / 1000 },
  target: '< 30 s',
});

heading('text: duplicate check');
const keywords = compileKeywords(CATEGORIES);
const now = new Date('2026-06-01T02:00:00Z');
const open: RepeatCandidate[] = Array.from({ length: 1000 }, (_, i) => ({
  id: `i${i}`,
  text: big[i * 7].text,
  category: big[i * 7].category,
  createdAt: new Date(now.getTime() - (i % 30) * DAY_MS),
}));
const cache = new Map();
const incoming = texts.slice(0, 200);
started = performance.now();
findRepeat(model, keywords, { text: incoming[0], category: 'policy', now, candidates: open }, {}, cache);
const coldMs = performance.now() - started;
const category = (t: string) => classifyText(model, CATEGORIES, t).category;
const cats = incoming.map(category);
started = performance.now();
incoming.forEach((text, i) =>
  findRepeat(model, keywords, { text, category: cats[i], now, candidates: open }, {}, cache),
);
const warmMs = (performance.now() - started) / incoming.length;
// The floor of any check: the new text's TF-IDF vector and one cosine per cached candidate, nothing else.
const vectors = open.map((c) => cache.get(c.id)!.vector as SparseVector);
started = performance.now();
for (const text of incoming) {
  const q = vectorize(model.vocab, textFeatures(text, keywords).tokens);
  for (const v of vectors) dot(q, v);
}
const scanMs = (performance.now() - started) / incoming.length;
note(`first check (fingerprints all 1,000 candidates): ${coldMs.toFixed(1)} ms`);
report({
  name: 'check one message against 1,000 open issues',
  value: warmMs,
  unit: 'ms',
  baseline: { name: 'bare cosine scan of the 1,000', value: scanMs },
  target: '< 5 ms',
});

// The model trained on the corpus training set, trained once and shared by the quality tests in this folder.
import { CATEGORIES } from '../../config/categories.ts';
import { loadTrainingCorpus } from '../../server/text/corpus.ts';
import { serializeTextModel, trainTextModel, type TextModel } from '../../server/text/text-model.ts';

let cached: { model: TextModel; texts: number; ms: number } | undefined;

export function corpusModel() {
  if (!cached) {
    const train = loadTrainingCorpus();
    const started = performance.now();
    const model = trainTextModel(train, CATEGORIES);
    cached = { model, texts: train.length, ms: performance.now() - started };
  }
  return cached;
}

/** A trainer that hands the classifier service the corpus model, in this thread (the worker is tested apart). */
export const corpusTrainer = async () => ({
  model: serializeTextModel(corpusModel().model),
  scores: null,
  examples: { corpus: corpusModel().texts, people: 0 },
  trainingMs: 0,
});

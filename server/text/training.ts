// One training run, pure apart from reading the corpus files: the corpus training texts plus people's
// classifications (weighted up and remembered verbatim), then scores on the held-out set. Runs inside the
// training worker (trainer.ts, in a worker thread) so a request never waits behind it.
import type { CategoryKeywords } from '../../shared/classify.ts';
import type { CueFamilies } from '../../shared/urgency-cues.ts';
import { loadHeldout, loadTrainingCorpus } from './corpus.ts';
import { evaluateModel, type ModelScores } from './evaluate.ts';
import {
  serializeTextModel,
  trainTextModel,
  type LabelledText,
  type SerializedTextModel,
} from './text-model.ts';

/** How much one person's classification counts against one corpus text. */
export const PEOPLE_WEIGHT = 3;

export interface TrainingInput {
  /** Folder of train.jsonl / heldout.jsonl; the packaged corpus when absent. */
  corpusDir?: string;
  people: readonly Omit<LabelledText, 'weight' | 'remember'>[];
  keywords: readonly CategoryKeywords[];
  /** The urgency cues in effect (setting `classify.urgencyCues` over the defaults); the defaults when absent. */
  cues?: CueFamilies;
  /** The confidence threshold the scores report coverage at. */
  threshold: number;
}

export interface TrainingOutput {
  model: SerializedTextModel;
  scores: ModelScores | null;
  examples: { corpus: number; people: number };
  trainingMs: number;
}

export function runTraining(input: TrainingInput, now: () => number = Date.now): TrainingOutput {
  const started = now();
  const corpus = loadTrainingCorpus(input.corpusDir);
  const examples: LabelledText[] = [
    ...corpus,
    ...input.people.map((p) => ({ ...p, weight: PEOPLE_WEIGHT, remember: true })),
  ];
  if (examples.length === 0) throw new Error('没有可用于训练的文本（语料与人工分类均为空）');
  const model = trainTextModel(examples, input.keywords, {}, input.cues);
  const trainingMs = now() - started;
  const heldout = loadHeldout('heldout.jsonl', input.corpusDir);
  const scores = heldout.length
    ? evaluateModel(model, input.keywords, heldout, input.threshold, input.cues)
    : null;
  return {
    model: serializeTextModel(model),
    scores,
    examples: { corpus: corpus.length, people: input.people.length },
    trainingMs,
  };
}

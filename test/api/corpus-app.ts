// An app whose text core is the model trained on the corpus: what the duplicate check decides with in
// production (suites that merge repeats). Its own file, so the suites that do not train never load the model.
import type { Express } from 'express';
import { pino } from 'pino';
import { createClassifierService } from '../../server/text/classifier.service.ts';
import { corpusTrainer } from '../text/corpus-model.ts';
import { anotherApp, type TestApp } from './helpers.ts';

/** Trained in this thread (the worker is tested in test/api/text). */
export async function appWithCorpusModel(t: TestApp): Promise<Express> {
  const service = createClassifierService({
    models: t.models,
    clock: t.clock,
    logger: pino({ level: 'silent' }),
    schedule: false,
    trainer: corpusTrainer,
  });
  await service.retrain('manual', 'test');
  return anotherApp(t, { classifier: service });
}

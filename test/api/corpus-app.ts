// An app whose text core is the model trained on the corpus: what the duplicate check decides with in
// production (suites that merge repeats). Its own file, so the suites that do not train never load the model.
import type { Express } from 'express';
import { pino } from 'pino';
import type { Clock } from '../../shared/clock.ts';
import type { Models } from '../../server/models/index.ts';
import {
  createClassifierService,
  type ClassifierService,
  type ClassifierServiceOptions,
} from '../../server/text/classifier.service.ts';
import { corpusTrainer } from '../text/corpus-model.ts';
import { anotherApp, type TestApp } from './helpers.ts';

/** A service that trains on the corpus in this thread (the worker is tested in test/api/text), untrained yet. */
export function corpusService(
  { models, clock }: { models: Models; clock: Clock },
  extra: Partial<ClassifierServiceOptions> = {},
): ClassifierService {
  return createClassifierService({
    models,
    clock,
    logger: pino({ level: 'silent' }),
    schedule: false,
    trainer: corpusTrainer,
    ...extra,
  });
}

/** The app and its service, trained on the corpus. */
export async function appWithCorpusModel(t: TestApp): Promise<{ app: Express; service: ClassifierService }> {
  const service = corpusService(t);
  await service.retrain('manual', 'test');
  return { app: anotherApp(t, { classifier: service }), service };
}

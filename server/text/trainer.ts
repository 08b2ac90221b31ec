// Runs one training in a worker thread (in-worker.ts): the event loop keeps serving requests while the model
// trains on another core.
import { runInWorker } from './in-worker.ts';
import type { TrainingInput, TrainingOutput } from './training.ts';

/** Trains a model; an aborted `signal` stops the run (it rejects). */
export type Trainer = (input: TrainingInput, signal?: AbortSignal) => Promise<TrainingOutput>;

export const trainInWorker: Trainer = (input, signal) =>
  runInWorker<TrainingOutput>(new URL('./training.ts', import.meta.url), 'runTraining', input, signal);

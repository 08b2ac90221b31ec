// Runs one training in a worker thread and resolves with its output: the event loop keeps serving requests
// while the model trains on another core.
import { Worker } from 'node:worker_threads';
import type { TrainingInput, TrainingOutput } from './training.ts';

export type Trainer = (input: TrainingInput) => Promise<TrainingOutput>;

export const trainInWorker: Trainer = (input) =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./training-boot.mjs', import.meta.url), { workerData: input });
    let settled = false;
    worker.once('message', (m: { ok?: TrainingOutput; error?: string }) => {
      settled = true;
      if (m.ok) resolve(m.ok);
      else reject(new Error(m.error ?? 'training failed'));
      void worker.terminate();
    });
    worker.once('error', (err) => {
      if (!settled) reject(err);
      settled = true;
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`training worker stopped with status ${code}`));
    });
  });

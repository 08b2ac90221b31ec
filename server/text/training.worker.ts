// The training worker thread: receives one TrainingInput, answers with the TrainingOutput (or an error) and
// exits. A fresh thread per run keeps the server's heap free of training garbage.
import { parentPort, workerData } from 'node:worker_threads';
import { runTraining, type TrainingInput } from './training.ts';

try {
  parentPort!.postMessage({ ok: runTraining(workerData as TrainingInput) });
} catch (err) {
  parentPort!.postMessage({ error: err instanceof Error ? err.message : String(err) });
}

// Runs one CPU-heavy pure function in a fresh worker thread and resolves with its result, so the event loop
// keeps serving requests on the other core (model training, class-problem clustering over a city's issues).
// The function is named by its module and export; the input and the result cross by structured clone. A fresh
// thread per run keeps the server's heap free of the run's garbage. An aborted `signal` (the server stopping)
// terminates the thread at once and rejects: a run can take minutes at a million issues.
import { Worker } from 'node:worker_threads';

export interface WorkerJob {
  /** The module's URL (`new URL('./x.ts', import.meta.url).href`). */
  module: string;
  /** The exported function: `(input) => output`, synchronous or not. */
  fn: string;
  input: unknown;
}

export function runInWorker<O>(module: URL, fn: string, input: unknown, signal?: AbortSignal): Promise<O> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(stoppedError(fn));
    const job: WorkerJob = { module: module.href, fn, input };
    const worker = new Worker(new URL('./in-worker-boot.mjs', import.meta.url), { workerData: job });
    let settled = false;
    const abort = () => {
      if (!settled) reject(stoppedError(fn));
      settled = true;
      void worker.terminate();
    };
    signal?.addEventListener('abort', abort, { once: true });
    worker.once('exit', () => signal?.removeEventListener('abort', abort));
    worker.once('message', (m: { ok?: O; error?: string }) => {
      if (settled) return;
      settled = true;
      if (m.error === undefined) resolve(m.ok as O);
      else reject(new Error(m.error));
      void worker.terminate();
    });
    worker.once('error', (err) => {
      if (!settled) reject(err);
      settled = true;
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`${fn} worker stopped with status ${code}`));
    });
  });
}

/** The rejection of a run stopped by its signal (`name` AbortError, as fetch and timers use). */
function stoppedError(fn: string): Error {
  const err = new Error(`${fn} stopped: the server is shutting down`);
  err.name = 'AbortError';
  return err;
}

export const isStopped = (err: unknown): boolean => err instanceof Error && err.name === 'AbortError';

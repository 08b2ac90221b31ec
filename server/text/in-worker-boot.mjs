// Entry of the worker threads of in-worker.ts. A worker does not inherit the parent's module hooks, so it
// registers tsx for itself, then loads the named module and answers with its function's result (or an error).
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { module, fn, input } = workerData;
try {
  const mod = await import(module);
  parentPort.postMessage({ ok: await mod[fn](input) });
} catch (err) {
  parentPort.postMessage({ error: err instanceof Error ? err.message : String(err) });
}

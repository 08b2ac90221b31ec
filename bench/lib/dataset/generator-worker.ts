// A generator thread: builds the same world from its seed, generates its segments in order and posts each
// batch (ObjectIds as hex strings) followed by an empty batch at each segment's end; pauses when the consumer
// falls a segment behind.
import { parentPort, workerData } from 'node:worker_threads';
import { segmentGenerator, toTransferable, type SegmentJob } from './issue-stream.ts';
import { createWorld } from './world.ts';

const job = workerData as SegmentJob;
const spec = { ...job.spec, asOf: new Date(job.spec.asOf) };
const world = createWorld({ ...job.world, createdAt: new Date(job.world.createdAt) });
let paused = false;
let wake: (() => void) | null = null;
parentPort!.on('message', (msg: string) => {
  paused = msg === 'pause';
  if (!paused && wake) {
    wake();
    wake = null;
  }
});

for (const s of job.segments) {
  const generator = segmentGenerator(spec, world, s, job.segment);
  for (;;) {
    if (paused) await new Promise<void>((resolve) => (wake = resolve));
    const batch = generator.batch(job.batch);
    parentPort!.postMessage(batch.map(toTransferable));
    if (!batch.length) break;
    // Let the consumer's pause/resume messages in between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

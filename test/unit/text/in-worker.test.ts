// runInWorker: a run answers its function's result from another thread, and an aborted signal (the server
// stopping) terminates the thread at once, however long its function would have run.
import { expect } from 'chai';
import { isStopped, runInWorker } from '../../../server/text/in-worker.ts';

const SPIN = new URL('./fixtures/spin.ts', import.meta.url);

describe('runInWorker', function () {
  this.timeout(30_000);

  it('answers the function’s result', async () => {
    expect(await runInWorker<number>(SPIN, 'spin', { ms: 5 })).to.be.at.least(5);
  });

  it('an aborted signal terminates a busy worker and rejects as stopped', async () => {
    const stopping = new AbortController();
    const run = runInWorker<number>(SPIN, 'spin', { ms: 600_000 }, stopping.signal);
    const outcome = run.then(
      () => 'finished',
      (err: unknown) => (isStopped(err) ? 'stopped' : String(err)),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    stopping.abort();
    // A ten-minute spin that is not terminated would hold this test until mocha's timeout.
    expect(await outcome).to.equal('stopped');
  });

  it('a signal aborted before the run starts no worker', async () => {
    const stopping = new AbortController();
    stopping.abort();
    const err = await runInWorker(SPIN, 'spin', { ms: 600_000 }, stopping.signal).catch((e: unknown) => e);
    expect(isStopped(err)).to.equal(true);
  });
});

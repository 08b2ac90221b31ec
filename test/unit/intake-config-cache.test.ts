// The configuration snapshot's cache rules (server/intake/intake-config.ts), with a fake read and clock:
// served from memory within the TTL, read again after it or after invalidate(), one read for concurrent
// readers, and never a read that was overtaken by an invalidation or that failed.
import { expect } from 'chai';
import { cachedSnapshot } from '../../server/intake/intake-config.ts';

/** A read whose calls the test resolves (or fails) by hand. */
function manualRead() {
  const calls: { resolve: (v: string) => void; reject: (e: Error) => void }[] = [];
  const read = () =>
    new Promise<string>((resolve, reject) => {
      calls.push({ resolve, reject });
    });
  return { read, calls };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('intake configuration cache', () => {
  it('reads once for concurrent readers and serves from memory within the TTL', async () => {
    let now = 0;
    const { read, calls } = manualRead();
    const cache = cachedSnapshot(read, { ttlMs: 1000, now: () => now });
    const first = [cache.get(), cache.get(), cache.get()];
    expect(calls).to.have.length(1);
    calls[0].resolve('v1');
    expect(await Promise.all(first)).to.deep.equal(['v1', 'v1', 'v1']);
    now = 999;
    expect(await cache.get()).to.equal('v1');
    expect(calls).to.have.length(1);
  });

  it('reads again once the snapshot is older than the TTL, counted from when its read started', async () => {
    let now = 0;
    const { read, calls } = manualRead();
    const cache = cachedSnapshot(read, { ttlMs: 1000, now: () => now });
    const first = cache.get();
    now = 400; // the read took 400 ms
    calls[0].resolve('v1');
    await first;
    now = 1000;
    const second = cache.get();
    expect(calls).to.have.length(2);
    calls[1].resolve('v2');
    expect(await second).to.equal('v2');
  });

  it('after invalidate() the next reader reads again, even within the TTL', async () => {
    const { read, calls } = manualRead();
    const cache = cachedSnapshot(read, { ttlMs: 60_000, now: () => 0 });
    const first = cache.get();
    calls[0].resolve('v1');
    await first;
    cache.invalidate();
    const second = cache.get();
    expect(calls).to.have.length(2);
    calls[1].resolve('v2');
    expect(await second).to.equal('v2');
  });

  it('never keeps a read that was running when invalidate() was called, nor lets later readers join it', async () => {
    const { read, calls } = manualRead();
    const cache = cachedSnapshot(read, { ttlMs: 60_000, now: () => 0 });
    const before = cache.get(); // started before the admin's write committed
    cache.invalidate();
    const after = cache.get();
    expect(calls).to.have.length(2);
    calls[1].resolve('new');
    calls[0].resolve('old');
    expect(await before).to.equal('old');
    expect(await after).to.equal('new');
    await settle();
    expect(await cache.get()).to.equal('new');
    expect(calls).to.have.length(2);
  });

  it('does not keep a failed read: the next reader tries again', async () => {
    const { read, calls } = manualRead();
    const cache = cachedSnapshot(read, { ttlMs: 60_000, now: () => 0 });
    const failed = cache.get();
    calls[0].reject(new Error('database unreachable'));
    const error = await failed.catch((e: unknown) => e);
    expect((error as Error).message).to.equal('database unreachable');
    const retry = cache.get();
    expect(calls).to.have.length(2);
    calls[1].resolve('v1');
    expect(await retry).to.equal('v1');
  });
});

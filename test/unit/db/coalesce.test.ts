// The coalescer: the calls of one turn of the event loop go as one batch, calls that arrive while a batch is in
// flight go together as the next, each caller gets its own outcome, and a batch that throws rejects only its
// own callers.
import { expect } from 'chai';
import { coalesce, type Outcome } from '../../../server/db/coalesce.ts';

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('coalesce', () => {
  it('sends the calls of one event-loop turn as one batch, and those arriving meanwhile as the next', async () => {
    const batches: number[][] = [];
    const gates: Array<ReturnType<typeof deferred<void>>> = [];
    const double = coalesce<number, number>(async (items) => {
      batches.push([...items]);
      const gate = deferred<void>();
      gates.push(gate);
      await gate.promise;
      return items.map((i) => ({ ok: true, value: i * 2 }));
    });
    const first = [double(1), double(2)];
    expect(batches, 'nothing is sent before the turn ends').to.deep.equal([]);
    await new Promise((r) => setImmediate(r));
    expect(batches).to.deep.equal([[1, 2]]);
    const rest = [double(3), double(4)];
    await new Promise((r) => setImmediate(r));
    expect(batches, 'one batch in flight at a time').to.deep.equal([[1, 2]]);
    gates[0]!.resolve();
    expect(await Promise.all(first)).to.deep.equal([2, 4]);
    await new Promise((r) => setImmediate(r));
    expect(batches).to.deep.equal([
      [1, 2],
      [3, 4],
    ]);
    gates[1]!.resolve();
    expect(await Promise.all(rest)).to.deep.equal([6, 8]);
  });

  it('gives each caller its own error and the others their values', async () => {
    const check = coalesce<number, number>(async (items) =>
      items.map((i): Outcome<number> =>
        i < 0 ? { ok: false, error: new Error(`bad ${i}`) } : { ok: true, value: i },
      ),
    );
    const results = await Promise.allSettled([check(1), check(-2), check(3)]);
    expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).to.have.property('message', 'bad -2');
  });

  it('rejects every caller of a batch that throws, and keeps serving afterwards', async () => {
    let fail = true;
    const op = coalesce<number, number>(async (items) => {
      if (fail) throw new Error('down');
      return items.map((i) => ({ ok: true, value: i }));
    });
    const failed = await Promise.allSettled([op(1), op(2)]);
    expect(failed.every((r) => r.status === 'rejected')).to.equal(true);
    fail = false;
    expect(await op(5)).to.equal(5);
  });

  it('splits a long queue into batches of at most maxBatch', async () => {
    const sizes: number[] = [];
    const op = coalesce<number, number>(
      async (items) => {
        sizes.push(items.length);
        await new Promise((r) => setImmediate(r));
        return items.map((i) => ({ ok: true, value: i }));
      },
      { maxBatch: 3 },
    );
    const all = await Promise.all(Array.from({ length: 10 }, (_, i) => op(i)));
    expect(all).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(sizes).to.deep.equal([3, 3, 3, 1]);
  });
});

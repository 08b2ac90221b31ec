/**
 * Multi-document updates and deletes commit in chunks (commands/data/shared.ts `writeInChunks`): at most 1,000
 * documents or 16 MiB of post-images are applied before the write commits them and waits, other commands run
 * in between and see whole documents, and the reply waits for the last chunk.
 */
import { expect } from 'chai';
import type { Document } from 'bson';
import type { Change } from '../../../server/db/embedded/contract.ts';
import { harness, type Harness } from './harness.ts';

/** Holds every commit until `release` (a journal whose fsync has not returned yet). */
function holdCommits(h: Harness): { pending: Change[][]; release(): Promise<void> } {
  const waiting: { changes: Change[]; resolve: () => void }[] = [];
  const held = {
    get pending() {
      return waiting.map((w) => w.changes);
    },
    async release() {
      for (const w of waiting.splice(0)) {
        h.persistence.commits.push(w.changes);
        w.resolve();
      }
      await turn();
    },
  };
  h.persistence.commit = (changes) => new Promise<void>((resolve) => waiting.push({ changes, resolve }));
  return held;
}

/** Lets every command waiting on a resolved commit run on to its next commit. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

async function seeded(
  n: number,
  make: (i: number) => Document = (i) => ({ _id: i, a: i }),
): Promise<Harness> {
  const h = harness();
  await h.run({ insert: 'c', documents: Array.from({ length: n }, (_, i) => make(i)) });
  return h;
}

describe('engine: multi-document writes commit in chunks', () => {
  it('commits an updateMany 1,000 documents at a time and replies after the last chunk', async () => {
    const h = await seeded(2_500);
    await h.run({ createIndexes: 'c', indexes: [{ key: { x: 1 }, name: 'x_1' }] });
    const held = holdCommits(h);
    let reply: Document | undefined;
    const running = h
      .run({ update: 'c', updates: [{ q: {}, u: { $set: { x: 1, y: 'new' } }, multi: true }] })
      .then((r) => (reply = r));
    const sizes: number[] = [];
    for (let chunk = 0; chunk < 3; chunk++) {
      await turn();
      expect(held.pending, `chunk ${chunk}`).to.have.length(1);
      sizes.push(held.pending[0].length);
      expect(reply, 'replied before its last chunk was durable').to.equal(undefined);
      // Another command between chunks: some documents written, the rest not yet, none half-written, and the
      // index agreeing with the documents.
      const docs = await h.find('c');
      const written = docs.filter((d) => d.x === 1);
      expect(written).to.have.length(Math.min(2_500, 1_000 * (chunk + 1)));
      for (const d of docs) expect(d.x === 1, `document ${d._id}`).to.equal(d.y === 'new');
      const viaIndex = await h.run({ count: 'c', query: { x: 1 }, hint: 'x_1' });
      expect(viaIndex.n).to.equal(written.length);
      await held.release();
    }
    await running;
    expect(sizes).to.deep.equal([1_000, 1_000, 500]);
    expect(reply).to.deep.equal({ n: 2_500, nModified: 2_500 });
  });

  it('cuts a chunk at 16 MiB of post-images', async () => {
    const h = await seeded(200, (i) => ({ _id: i, pad: 'x'.repeat(100_000) }));
    const held = holdCommits(h);
    const running = h.run({ update: 'c', updates: [{ q: {}, u: { $set: { v: 1 } }, multi: true }] });
    await turn();
    // Post-images of about 100 KB: the 168th passes 16 MiB.
    expect(held.pending.map((c) => c.length)).to.deep.equal([168]);
    await held.release();
    expect(held.pending.map((c) => c.length)).to.deep.equal([32]);
    await held.release();
    expect(await running).to.deep.equal({ n: 200, nModified: 200 });
  });

  it('writes each document once when the update moves it forward in the scanned index', async () => {
    const h = await seeded(2_500, (i) => ({ _id: i, k: i }));
    await h.run({ createIndexes: 'c', indexes: [{ key: { k: 1 }, name: 'k_1' }] });
    const reply = await h.run({
      update: 'c',
      updates: [{ q: { k: { $gte: 0 } }, u: { $inc: { k: 10_000 } }, multi: true, hint: 'k_1' }],
    });
    expect(reply).to.deep.equal({ n: 2_500, nModified: 2_500 });
    const docs = await h.find('c');
    expect(docs.filter((d) => d.k !== d._id + 10_000)).to.deep.equal([]);
  });

  it('commits a deleteMany in chunks and counts every document', async () => {
    const h = await seeded(2_500);
    const held = holdCommits(h);
    const running = h.run({ delete: 'c', deletes: [{ q: { a: { $gte: 0 } }, limit: 0 }] });
    const sizes: number[] = [];
    for (let chunk = 0; chunk < 3; chunk++) {
      await turn();
      sizes.push(...held.pending.map((c) => c.length));
      expect((await h.run({ count: 'c' })).n).to.equal(Math.max(0, 2_500 - 1_000 * (chunk + 1)));
      await held.release();
    }
    expect(sizes).to.deep.equal([1_000, 1_000, 500]);
    expect(await running).to.deep.equal({ n: 2_500 });
  });

  it('stops with QueryPlanKilled when the collection is dropped between chunks', async () => {
    const h = await seeded(2_500);
    const held = holdCommits(h);
    const running = h.run({ update: 'c', updates: [{ q: {}, u: { $set: { x: 1 } }, multi: true }] });
    await turn();
    const dropped = h.run({ drop: 'c' });
    await held.release();
    await held.release();
    const reply = await running;
    await dropped;
    expect(reply.writeErrors).to.have.length(1);
    expect(reply.writeErrors[0]).to.include({ index: 0, code: 175, codeName: 'QueryPlanKilled' });
    // Nothing written to the dropped collection after its drop was journaled.
    const log = h.persistence.changes;
    const drop = log.findIndex((c) => c.op === 'dropCollection');
    expect(log.slice(drop + 1)).to.deep.equal([]);
    expect(log.filter((c) => c.op === 'replace')).to.have.length(1_000);
  });
});

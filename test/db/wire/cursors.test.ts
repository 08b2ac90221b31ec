// Cursor batching, getMore, killCursors and the idle timeout, on a controllable clock.
import { expect } from 'chai';
import { BSON, Long, type Document } from 'bson';
import { RawDoc } from '../../../server/db/embedded/raw-doc.ts';
import { encodeDocument } from '../../../server/db/embedded/wire/bson-codec.ts';
import { Limits } from '../../../server/db/embedded/wire/constants.ts';
import { CursorRegistry, IDLE_TIMEOUT_MS, type SlowCursor } from '../../../server/db/embedded/cursors.ts';
import { MongoError } from '../../../server/db/embedded/errors.ts';

function* count(n: number, pad = ''): Iterator<Document> {
  for (let i = 0; i < n; i++) yield { i, pad };
}

describe('CursorRegistry', () => {
  let clock: Date;
  let cursors: CursorRegistry;
  beforeEach(() => {
    clock = new Date('2026-01-01T00:00:00Z');
    cursors = new CursorRegistry({ now: () => clock });
  });

  it('returns 101 documents in the first batch by default and keeps the rest open', () => {
    const { id, ns, firstBatch } = cursors.open('db.c', count(250), { connectionId: 1 });
    expect(firstBatch).to.have.length(101);
    expect(ns).to.equal('db.c');
    expect(Long.isLong(id)).to.equal(true);
    expect(id.isZero()).to.equal(false);
    expect(id.isNegative()).to.equal(false);
    expect(cursors.openCount).to.equal(1);
  });

  it('returns id 0 and keeps nothing when the results end inside the first batch', () => {
    const r = cursors.open('db.c', count(100), { connectionId: 1 });
    expect(r.firstBatch).to.have.length(100);
    expect(r.id.isZero()).to.equal(true);
    expect(cursors.openCount).to.equal(0);
  });

  it('does not read ahead after a full batch: an exact fit ends with one empty getMore', () => {
    let pulled = 0;
    function* counted(): Iterator<Document> {
      for (let i = 0; i < 101; i++) {
        pulled++;
        yield { i };
      }
    }
    const r = cursors.open('db.c', counted(), { connectionId: 1 });
    expect(pulled).to.equal(101);
    expect(r.id.isZero()).to.equal(false);
    const more = cursors.getMore(r.id, 'db.c');
    expect(more.nextBatch).to.deep.equal([]);
    expect(more.id.isZero()).to.equal(true);
    expect(cursors.openCount).to.equal(0);
  });

  it('never returns a document read before a getMore that was deleted after the previous batch', () => {
    const live = new Map([...Array(20).keys()].map((i) => [i, { i }]));
    function* scan(): Iterator<Document> {
      for (let i = 0; i < 20; i++) {
        const doc = live.get(i);
        if (doc) yield doc;
      }
    }
    const r = cursors.open('db.c', scan(), { connectionId: 1, batchSize: 5 });
    live.delete(5);
    const more = cursors.getMore(r.id, 'db.c', 5);
    expect(more.nextBatch.map((d) => (d as Document).i)).to.deep.equal([6, 7, 8, 9, 10]);
  });

  it('honours singleBatch and batchSize 0', () => {
    const single = cursors.open('db.c', count(500), { connectionId: 1, singleBatch: true, batchSize: 10 });
    expect(single.firstBatch).to.have.length(10);
    expect(single.id.isZero()).to.equal(true);
    const empty = cursors.open('db.c', count(5), { connectionId: 1, batchSize: 0 });
    expect(empty.firstBatch).to.have.length(0);
    expect(empty.id.isZero()).to.equal(false);
    expect(cursors.getMore(empty.id, 'db.c').nextBatch).to.have.length(5);
  });

  it('pages through every document exactly once with getMore batchSize', () => {
    const first = cursors.open('db.c', count(500), { connectionId: 1, batchSize: 100 });
    const seen = first.firstBatch.map((d) => (d as Document).i);
    let id = first.id;
    let rounds = 0;
    while (!id.isZero()) {
      const more = cursors.getMore(id, 'db.c', 150);
      expect(more.nextBatch.length).to.be.at.most(150);
      seen.push(...more.nextBatch.map((d) => (d as Document).i));
      id = more.id;
      rounds++;
    }
    expect(rounds).to.equal(3); // 150, 150, then 100: the short batch ends the cursor
    expect(seen).to.deep.equal([...Array(500).keys()]);
    expect(cursors.openCount).to.equal(0);
  });

  it('stops a batch before the byte limit but always returns at least one document', () => {
    const small = new CursorRegistry({ now: () => clock, maxBatchBytes: 3000 });
    const pad = 'x'.repeat(1000);
    const r = small.open('db.c', count(10, pad), { connectionId: 1 });
    expect(r.firstBatch).to.have.length(2);
    const more = small.getMore(r.id, 'db.c');
    expect(more.nextBatch.map((d) => (d as Document).i)).to.deep.equal([2, 3]);
    const tiny = new CursorRegistry({ now: () => clock, maxBatchBytes: 10 });
    expect(tiny.open('db.c', count(3, pad), { connectionId: 1 }).firstBatch).to.have.length(1);
  });

  it('ends a long batch on its time budget (after its minimum) and delivers every document in later ones', () => {
    // A slow source (1 ms a document, as a scan that examines many for each it returns): with a budget of
    // 5 ms after 10 documents, batches stop early, and a getMore always gets on with the rest.
    function* slow(n: number): Iterator<Document> {
      for (let i = 0; i < n; i++) {
        const until = performance.now() + 1;
        while (performance.now() < until) {
          /* examining */
        }
        yield { i };
      }
    }
    const timed = new CursorRegistry({ now: () => clock, maxBatchMs: 5, minTimedDocs: 10 });
    const r = timed.open('db.c', slow(60), { connectionId: 1, batchSize: 0 });
    expect(r.firstBatch).to.have.length(0); // batchSize 0: the cursor only
    const sizes: number[] = [];
    const seen: number[] = [];
    for (let id = r.id; !id.isZero();) {
      const more = timed.getMore(id, 'db.c');
      sizes.push(more.nextBatch.length);
      seen.push(...more.nextBatch.map((d) => (d as Document).i as number));
      id = more.id;
    }
    expect(seen).to.deep.equal([...Array(60).keys()]);
    expect(sizes.length).to.be.greaterThan(1);
    expect(sizes.slice(0, -1).every((n) => n >= 10 && n < 60)).to.equal(true);
    // A single batch (findOne, a negative limit) is never cut short: it is the whole answer.
    const single = timed.open('db.c', slow(30), { connectionId: 1, batchSize: 30, singleBatch: true });
    expect(single.firstBatch).to.have.length(30);
  });

  it('keeps a whole getMore reply of many small stored documents under the 16 MiB reply limit', () => {
    // Each array element adds its type byte and index name: 300,000 tiny documents are ~4 MB of names, which
    // a batch counting only document bytes used to push past the limit (BSONObjectTooLarge in the driver).
    const tiny = BSON.serialize({ _id: 1, k: 'x'.repeat(40) });
    function* many(): Iterator<RawDoc> {
      for (let i = 0; i < 1_000_000; i++) yield new RawDoc(tiny);
    }
    // Only the byte limit here: the time budget (tested above) would end the batch first on a slow machine.
    const bytesOnly = new CursorRegistry({ now: () => clock, maxBatchMs: Number.POSITIVE_INFINITY });
    const r = bytesOnly.open('db.c', many(), { connectionId: 1, batchSize: 0 });
    const more = bytesOnly.getMore(r.id, 'db.c');
    expect(more.nextBatch.length).to.be.above(200_000);
    const reply = encodeDocument({ cursor: { nextBatch: more.nextBatch, id: more.id, ns: more.ns }, ok: 1 });
    expect(reply.length).to.be.at.most(Limits.maxBsonObjectSize + 16 * 1024);
    expect(BSON.deserialize(reply).cursor.nextBatch[0].k).to.equal('x'.repeat(40));
  });

  it('reports a cursor whose batches took slowMs in all when it ends, with its origin and why it ended', () => {
    const slow: SlowCursor[] = [];
    const watched = new CursorRegistry({ now: () => clock, slowMs: 0, onSlow: (c) => slow.push(c) });
    const origin = { ns: 'c', filter: ['state', 'nextCheckAt'] };
    const r = watched.open('db.c', count(350), { connectionId: 1, origin });
    watched.getMore(r.id, 'db.c', 100);
    watched.getMore(r.id, 'db.c', 100);
    expect(slow).to.have.length(0); // still open
    watched.getMore(r.id, 'db.c');
    expect(slow).to.have.length(1);
    expect(slow[0]).to.include({ ns: 'db.c', batches: 4, returned: 350, ended: 'exhausted' });
    expect(slow[0].origin).to.deep.equal(origin);
    const killed = watched.open('db.c', count(250), { connectionId: 1 });
    watched.kill([killed.id], 'db.c');
    expect(slow[1]).to.include({ batches: 1, returned: 101, ended: 'killed' });
    // Under the threshold nothing is said; a cursor ended within its first batch is the slow-command log's.
    const quiet = new CursorRegistry({ now: () => clock, slowMs: 60_000, onSlow: (c) => slow.push(c) });
    const q = quiet.open('db.c', count(250), { connectionId: 1 });
    quiet.getMore(q.id, 'db.c');
    watched.open('db.c', count(50), { connectionId: 1 });
    expect(slow).to.have.length(2);
  });

  it('answers CursorNotFound (43) for unknown and killed cursors', () => {
    const r = cursors.open('db.c', count(300), { connectionId: 1 });
    expect(cursors.kill([r.id, Long.fromNumber(12345)], 'db.c')).to.deep.equal({
      cursorsKilled: [r.id],
      cursorsNotFound: [Long.fromNumber(12345)],
      cursorsAlive: [],
      cursorsUnknown: [],
    });
    expect(() => cursors.getMore(r.id, 'db.c'))
      .to.throw(MongoError)
      .with.property('code', 43);
  });

  it('refuses a getMore on another namespace and does not kill across namespaces', () => {
    const r = cursors.open('db.c', count(300), { connectionId: 1 });
    expect(() => cursors.getMore(r.id, 'db.other'))
      .to.throw(MongoError)
      .with.property('code', 13);
    expect(cursors.kill([r.id], 'db.other').cursorsNotFound).to.have.length(1);
    expect(cursors.getMore(r.id, 'db.c').nextBatch).to.have.length(199);
  });

  it('times out cursors idle for more than 10 minutes, measured from their last use', () => {
    const idle = cursors.open('db.c', count(300), { connectionId: 1 });
    const busy = cursors.open('db.c', count(300), { connectionId: 1, batchSize: 1 });
    clock = new Date(clock.getTime() + IDLE_TIMEOUT_MS - 1000);
    cursors.getMore(busy.id, 'db.c', 1);
    expect(cursors.sweepIdle()).to.equal(0);
    clock = new Date(clock.getTime() + 2000);
    expect(cursors.sweepIdle()).to.equal(1);
    expect(() => cursors.getMore(idle.id, 'db.c'))
      .to.throw(MongoError)
      .with.property('code', 43);
    expect(cursors.getMore(busy.id, 'db.c', 1).nextBatch).to.have.length(1);
  });

  it('forgets a cursor whose iterator fails, and closes iterators it drops', () => {
    let returned = 0;
    let i = 0;
    const failing: Iterator<Document> = {
      next: () => {
        if (i === 101 + 5) throw new MongoError(2, 'bad');
        return { done: false, value: { i: i++ } };
      },
      return: () => {
        returned++;
        return { done: true, value: undefined };
      },
    };
    const r = cursors.open('db.c', failing, { connectionId: 1 });
    expect(() => cursors.getMore(r.id, 'db.c')).to.throw(MongoError, 'bad');
    expect(cursors.openCount).to.equal(0);
    expect(returned).to.equal(1);
  });

  it('rejects a negative batchSize', () => {
    expect(() => cursors.open('db.c', count(1), { connectionId: 1, batchSize: -1 }))
      .to.throw(MongoError)
      .with.property('code', 2);
  });
});

// Scans test packed documents on a transient unpacking (doc-pack `peek`) and keep only the matches: these
// check that what a read hands out never changes when the next document is peeked at (finds, counts,
// distinct and a leading $group), over enough documents that they are stored packed against a dictionary.
import { expect } from 'chai';
import { Binary, type Document } from 'bson';
import { isPackedDoc } from '../../../server/db/embedded/contract.ts';
import { runQuery } from '../../../server/db/embedded/engine/query.ts';
import { harness, plain, type Harness } from './harness.ts';

const N = 1500;
const TAGS = 5;

function tagBytes(t: number): Buffer {
  return Buffer.from(Array.from({ length: 16 }, (_, i) => (t * 37 + i * 11) & 0xff));
}

function docOf(i: number): Document {
  return {
    _id: i,
    kind: i % 3,
    tag: { label: `标签-${i % TAGS}`, bin: new Binary(tagBytes(i % TAGS)) },
    note: `企业反映厂区门口道路坑洼，货车进出困难，已影响正常生产经营，请尽快安排修缮。编号 ${i}`.repeat(3),
  };
}

async function packed(): Promise<Harness> {
  const h = harness();
  for (let at = 0; at < N; at += 500) {
    const documents = Array.from({ length: 500 }, (_, k) => docOf(at + k));
    await h.run({ insert: 'c', documents });
  }
  return h;
}

describe('engine: reads that test documents on a transient unpacking', () => {
  it('stores the test documents packed (else these tests would prove nothing)', async () => {
    const h = await packed();
    const docs = h.engine.catalog.get('test.c')!.docs;
    const keys = [...docs.keys()];
    const stored = keys.map((k) => docs.getStored(k)!);
    expect(stored.filter((s) => isPackedDoc(s)).length).to.be.greaterThan(N * 0.9);
  });

  it('a find with a filter no index serves returns each match exactly as stored', async () => {
    const h = await packed();
    const found = await h.find('c', { kind: 2 }, { batchSize: 0 });
    const expected = Array.from({ length: N }, (_, i) => i)
      .filter((i) => i % 3 === 2)
      .map((i) => plain(docOf(i)));
    expect(found).to.deep.equal(expected);
  });

  it('counts with a filter match the documents, by the count command and by countDocuments', async () => {
    const h = await packed();
    expect((await h.run({ count: 'c', query: { kind: 1 } })).n).to.equal(N / 3);
    const [row] = await h.aggregate('c', [
      { $match: { 'tag.label': '标签-3' } },
      { $group: { _id: 1, n: { $sum: 1 } } },
    ]);
    expect(row.n).to.equal(N / TAGS);
  });

  it('a leading $group keeps each group key as read, binary values inside documents included', async () => {
    const h = await packed();
    const rows = await h.aggregate('c', [
      { $match: { kind: { $in: [0, 1, 2] } } },
      { $group: { _id: '$tag', n: { $sum: 1 } } },
      { $sort: { '_id.label': 1 } },
    ]);
    expect(rows).to.have.length(TAGS);
    rows.forEach((row, t) => {
      expect(row._id.label).to.equal(`标签-${t}`);
      expect(Buffer.from(row._id.bin.buffer).equals(tagBytes(t)), `tag ${t}'s bytes`).to.equal(true);
      expect(row.n).to.equal(N / TAGS);
    });
  });

  it('sorts the matches on a field stored after the filtered one (read only from documents that pass)', async () => {
    const h = await packed();
    const late = (i: number) => (i * 7919) % 1000;
    await h.run({
      update: 'c',
      updates: [
        { q: {}, u: [{ $set: { late: { $mod: [{ $multiply: ['$_id', 7919] }, 1000] } } }], multi: true },
      ],
    });
    const found = await h.find('c', { kind: 1 }, { sort: { late: -1, _id: 1 }, limit: 25 });
    const expected = Array.from({ length: N }, (_, i) => i)
      .filter((i) => i % 3 === 1)
      .sort((a, b) => late(b) - late(a) || a - b)
      .slice(0, 25);
    expect(found.map((d) => d._id)).to.deep.equal(expected);
    expect(found.map((d) => d.late)).to.deep.equal(expected.map(late));
  });

  it("counts countDocuments' way (one constant group) exactly as the general $group does", async () => {
    const h = await packed();
    for (const [match, id, each] of [
      [{ kind: 1 }, 1, 1],
      [{ 'tag.label': '标签-2' }, null, 2],
      [{ kind: 7 }, 'all', 1],
    ] as const) {
      const group = { $group: { _id: id, n: { $sum: each } } };
      const fast = await h.aggregate('c', [{ $match: match }, group]);
      const general = await h.aggregate('c', [{ $match: match }, group, { $match: {} }]);
      expect(fast, JSON.stringify(match)).to.deep.equal(general);
    }
    expect(
      await h.aggregate('c', [{ $match: { kind: 7 } }, { $group: { _id: 1, n: { $sum: 1 } } }]),
    ).to.deep.equal([]);
  });

  it('distinct returns each value as read', async () => {
    const h = await packed();
    const { values } = await h.run({ distinct: 'c', key: 'tag', query: { kind: { $gte: 0 } } });
    const byLabel = new Map<string, Buffer>(
      values.map((v: Document) => [v.label, Buffer.from(v.bin.buffer)]),
    );
    expect(byLabel.size).to.equal(TAGS);
    for (let t = 0; t < TAGS; t++) expect(byLabel.get(`标签-${t}`)!.equals(tagBytes(t))).to.equal(true);
  });
  describe("a find's top-level projection, kept from each match instead of the whole document", () => {
    const project = (d: Document, fields: string[], include: boolean) =>
      Object.fromEntries(
        Object.entries(d).filter(([k]) => (k === '_id' ? true : fields.includes(k) === include)),
      );
    // `late` is stored after the long `note`, so a projection naming it reads each document to its end.
    async function withLate(): Promise<Harness> {
      const h = await packed();
      await h.run({ update: 'c', updates: [{ q: {}, u: { $set: { late: 'L' } }, multi: true }] });
      await h.run({ createIndexes: 'c', indexes: [{ key: { kind: 1, _id: -1 }, name: 'kind_id' }] });
      return h;
    }
    const ids = (filter: (i: number) => boolean) =>
      Array.from({ length: N }, (_, i) => i)
        .filter(filter)
        .sort((a, b) => b - a);

    it('inclusion, exclusion and without _id: each match as projecting the whole document gives, across batches', async () => {
      const h = await withLate();
      const wanted = ids((i) => i % 3 !== 1);
      const whole = (i: number) => plain({ ...docOf(i), late: 'L' });
      for (const [projection, fields, include] of [
        [{ kind: 1, late: 1 }, ['kind', 'late'], true],
        [{ note: 0, tag: 0 }, ['note', 'tag'], false],
      ] as const) {
        // A merged scan of the index (one branch per kind, in _id order), in batches of 7.
        const found = await h.find(
          'c',
          { kind: { $in: [0, 2] } },
          { sort: { _id: -1 }, projection, batchSize: 7 },
        );
        const expected = wanted.map((i) => project(whole(i), [...fields], include));
        expect(found, JSON.stringify(projection)).to.deep.equal(expected);
      }
      const noId = await h.find(
        'c',
        { kind: 2 },
        { sort: { _id: -1 }, projection: { _id: 0, late: 1 }, limit: 5 },
      );
      expect(noId).to.deep.equal(Array.from({ length: 5 }, () => ({ late: 'L' })));
    });

    it('keeps only the projection of each match (the scan never copies a whole document for it)', async () => {
      const h = await withLate();
      const coll = h.engine.catalog.get('test.c');
      const spec = {
        filter: { kind: { $in: [0, 2] } },
        sort: { _id: -1 },
        projection: { kind: 1, late: 1 },
        limit: 20,
      };
      const run = runQuery(coll, spec, { presentOnly: true });
      const hits = Array.from({ length: 20 }, () => run.hits.next().value!);
      expect(hits.every((hit) => hit.shaped && hit.bytes.length < 64)).to.equal(true);
      // Without presentOnly (updates, aggregation's later stages) the whole document is kept, as before.
      const whole = runQuery(coll, spec).hits.next().value!;
      expect(whole.shaped).to.equal(undefined);
      expect(whole.bytes.length).to.be.greaterThan(300);
    });
  });
});

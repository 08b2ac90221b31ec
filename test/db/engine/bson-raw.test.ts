// Reading stored BSON without decoding it all: a partial decode must equal the same fields of a full decode
// (every type, in canonical form), and a byte-level projection must equal the projection of the document.
import { expect } from 'chai';
import { BSON, BSONRegExp, Int32, ObjectId, type Document } from 'bson';
import {
  decodeDoc,
  FieldSet,
  prependId,
  projectTopLevel,
  readFields,
  readId,
  withIdFirst,
} from '../../../server/db/embedded/engine/bson-raw.ts';
import { pack, Peek } from '../../../server/db/embedded/engine/doc-pack.ts';
import { compileProjection } from '../../../server/db/embedded/engine/projection.ts';
import { int, randomValue, rng } from './random-bson.ts';

const hex = (doc: Document) => Buffer.from(BSON.serialize(doc)).toString('hex');
const EXACT = { promoteValues: false, promoteBuffers: false, bsonRegExp: true } as const;

/** Random stored documents over a few field names, values of every BSON type (nested too). */
function randomDocs(seed: number, count: number): Uint8Array[] {
  const r = rng(seed);
  const out: Uint8Array[] = [];
  while (out.length < count) {
    const doc: Document = { _id: out.length };
    for (const name of ['a', 'b', 'c', 'long_name', '名称']) if (r() < 0.7) doc[name] = randomValue(r);
    if (int(r, 5) === 0) doc.nested = { a: randomValue(r), list: [randomValue(r), randomValue(r)] };
    try {
      out.push(BSON.serialize(doc));
    } catch {
      // The generator also makes field names BSON cannot hold (U+0000); a stored document never has one.
    }
  }
  return out;
}

describe('engine: reading stored BSON', () => {
  const docs = randomDocs(7, 400);

  it('decodes just the wanted top-level fields, exactly as a full decode has them', () => {
    const wanted = [['a'], ['b', 'long_name'], ['名称', 'nested'], ['_id', 'c', 'missing'], []];
    for (const bytes of docs) {
      const full = decodeDoc(bytes);
      for (const names of wanted) {
        const part = readFields(bytes, new FieldSet(names));
        const expected: Document = {};
        for (const key of Object.keys(full)) if (names.includes(key)) expected[key] = full[key];
        expect(hex(part)).to.equal(hex(expected));
        expect(Object.keys(part)).to.deep.equal(Object.keys(expected));
      }
    }
  });

  it('reads the _id', () => {
    for (const bytes of docs) expect(hex({ id: readId(bytes) })).to.equal(hex({ id: decodeDoc(bytes)._id }));
  });

  it('projects top-level fields on the bytes exactly as the projection does on the document', () => {
    const specs: Document[] = [
      { a: 1 },
      { a: 1, _id: 0 },
      { a: 0 },
      { _id: 0 },
      { a: 0, _id: 0, nested: 0 },
      { b: 1, long_name: 1, 名称: 1 },
      { _id: 1 },
      { a: 0, _id: 1 },
      // Paths inside fields (inclusions): a document projected on its bytes, an array decoded, others dropped.
      { 'nested.a': 1 },
      { 'nested.list': 1, a: 1, _id: 0 },
      { 'nested.a': 1, 'nested.list': 1, b: 1 },
      { 'a.a': 1, 'b.b': 1, c: 1 },
      { 'a.a.b': 1, 'a.c': 1, _id: 0 },
    ];
    for (const spec of specs) {
      const projection = compileProjection(spec)!;
      expect(projection.raw, JSON.stringify(spec)).to.not.equal(undefined);
      const { fields, include, keepId, within } = projection.raw!;
      for (const bytes of docs) {
        const viaBytes = projectTopLevel(bytes, fields, include, keepId, undefined, within);
        // Regexes stay BSONRegExp: a JS RegExp would re-escape `/` in the pattern, the bytes keep it as stored.
        expect(viaBytes.toString('hex')).to.equal(hex(projection.apply(BSON.deserialize(bytes, EXACT))));
        // The same from a packed copy unpacked only as far as the projection asks.
        const peek = new Peek().start(Buffer.from(pack(bytes)));
        const partly = projectTopLevel(peek.view, fields, include, keepId, peek.more, within);
        expect(partly.toString('hex'), JSON.stringify(spec)).to.equal(viaBytes.toString('hex'));
      }
    }
  });

  it('projects paths inside fields on the bytes as MongoDB does: documents, arrays of them, nothing else', () => {
    const id = new ObjectId();
    const bytes = BSON.serialize({
      _id: 1,
      deadlines: { startAt: new Date(1), resolveBy: new Date(2), basis: 'working', pausedAt: null },
      rating: { rating: 'bad', verification: 'pending', comment: '慢' },
      list: [{ x: 1, y: 2 }, 3, [{ x: 4 }], { y: 5 }, { x: /a\/b/ }],
      ref: { $ref: 'issues', $id: id },
      scalar: 7,
    });
    const spec = {
      'deadlines.resolveBy': 1,
      'deadlines.pausedAt': 1,
      'rating.verification': 1,
      'list.x': 1,
      'ref.$id': 1,
      'scalar.x': 1,
      'missing.x': 1,
    };
    const { fields, include, keepId, within } = compileProjection(spec)!.raw!;
    const out = BSON.deserialize(projectTopLevel(bytes, fields, include, keepId, undefined, within), EXACT);
    // As the engine projects a decoded document: an array inside the array is dropped with the scalars.
    expect(out).to.deep.equal({
      _id: new Int32(1),
      deadlines: { resolveBy: new Date(2), pausedAt: null },
      rating: { verification: 'pending' },
      list: [{ x: new Int32(1) }, {}, { x: new BSONRegExp('a\\/b', '') }],
    });
  });

  it('unpacks a packed copy only as far as an inclusion’s last field, not the timeline stored after it', () => {
    const timeline = Array.from({ length: 40 }, (_, i) => ({
      action: 'urge',
      at: new Date(i * 1000),
      note: `第${i}次`,
    }));
    const bytes = BSON.serialize({ _id: 1, state: 'closed', createdAt: new Date(0), timeline, tail: 'x' });
    const read = (names: string[], include: boolean) => {
      const peek = new Peek().start(Buffer.from(pack(bytes)));
      const out = projectTopLevel(peek.view, new FieldSet(names), include, true, peek.more);
      return { doc: BSON.deserialize(out), unpacked: peek.available };
    };
    const early = read(['state', 'createdAt'], true);
    expect(early.doc).to.deep.equal({ _id: 1, state: 'closed', createdAt: new Date(0) });
    expect(early.unpacked).to.be.below(bytes.length / 4);
    // A field after the timeline, one the document lacks, or an exclusion: read through the timeline.
    for (const [names, include] of [
      [['state', 'tail'], true],
      [['state', 'missing'], true],
      [['timeline'], false],
    ] as const) {
      const through = read([...names], include);
      expect(through.unpacked, names.join()).to.be.at.least(bytes.length - 16);
      expect(through.doc).to.have.property('state', 'closed');
    }
  });

  it('leaves exclusions of nested paths and operators to the decoded document', () => {
    for (const spec of [{ 'nested.a': 0 }, { list: { $slice: 1 } }, { a: { $elemMatch: { x: 1 } } }])
      expect(compileProjection(spec)!.raw).to.equal(undefined);
  });
});

describe('engine: stored documents keep _id first', () => {
  it('moves an _id from anywhere to the front, leaving every other byte as it was', () => {
    const doc = { a: 1, b: { c: 'x' }, _id: 7, d: [1, 2] };
    const moved = withIdFirst(BSON.serialize(doc))!;
    expect(Object.keys(BSON.deserialize(moved))).to.deep.equal(['_id', 'a', 'b', 'd']);
    expect(BSON.deserialize(moved)).to.deep.equal(doc);
    const first = BSON.serialize({ _id: 1, a: 2 });
    expect(withIdFirst(first)).to.equal(first);
    expect(withIdFirst(BSON.serialize({ a: 1 }))).to.equal(undefined);
  });

  it('adds a new ObjectId _id in front', () => {
    const id = new ObjectId();
    const out = prependId(BSON.serialize({ a: 1, s: '企业' }), id);
    const back = BSON.deserialize(out);
    expect(Object.keys(back)).to.deep.equal(['_id', 'a', 's']);
    expect(back._id.equals(id)).to.equal(true);
    expect(back.s).to.equal('企业');
  });
});

import { expect } from 'chai';
import { Binary, BSON, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp } from 'bson';
import { compareValues } from '../../../server/db/embedded/engine/compare.ts';
import { harness } from './harness.ts';

/** What the wire layer hands the engine: promoteValues:false, then Int32 and non-integral Double unwrapped. */
function fromWire(doc: BSON.Document): BSON.Document {
  const decoded = BSON.deserialize(BSON.serialize(doc), {
    promoteValues: false,
    promoteBuffers: false,
    bsonRegExp: false,
  });
  const unwrap = (v: unknown): unknown => {
    if (v instanceof Int32) return v.value;
    if (v instanceof Double) return Number.isInteger(v.value) && Math.abs(v.value) < 2 ** 31 ? v : v.value;
    if (Array.isArray(v)) return v.map(unwrap);
    if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrap(x)]));
    }
    return v;
  };
  return unwrap(decoded) as BSON.Document;
}

describe('engine: type fidelity', () => {
  const sample = {
    _id: new ObjectId(),
    i: new Int32(5),
    d: new Double(5),
    f: new Double(2.5),
    l: Long.fromString('9007199254740993'),
    small: Long.fromNumber(3),
    dec: Decimal128.fromString('1.10'),
    date: new Date(1700000000000),
    bin: new Binary(Buffer.from('hello'), 0),
    ts: new Timestamp({ t: 1700000000, i: 7 }),
    re: /ab+c/i,
    nul: null,
    arr: [new Int32(1), new Double(1), Long.fromNumber(1)],
    nested: { x: new Double(0) },
  };

  it('every BSON type survives insert -> find byte for byte', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [fromWire(sample)] });
    const [doc] = (await h.run({ find: 'c' })).cursor.firstBatch;
    expect(Buffer.from(BSON.serialize(doc)).equals(Buffer.from(BSON.serialize(sample)))).to.equal(true);
    expect('missing' in doc).to.equal(false);
  });

  it('queries match across numeric types by value', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [fromWire(sample)] });
    for (const filter of [
      { i: 5.0 },
      { d: 5 },
      { small: 3 },
      { dec: Decimal128.fromString('1.1') },
      { l: { $gt: Long.fromString('9007199254740992') } },
      { arr: { $all: [1] } },
    ]) {
      expect((await h.find('c', filter)).length, JSON.stringify(filter)).to.equal(1);
    }
    expect((await h.find('c', { dec: 1.1 })).length).to.equal(0);
  });

  it('sorts across types in BSON order', async () => {
    const h = harness();
    const values = [
      new MaxKey(),
      /re/,
      new Timestamp({ t: 1, i: 1 }),
      new Date(0),
      true,
      new ObjectId(),
      new Binary(Buffer.from('x')),
      [1],
      { a: 1 },
      'str',
      1.5,
      null,
      new MinKey(),
    ];
    await h.run({ insert: 'c', documents: values.map((v, i) => ({ _id: i, v })) });
    const docs = (await h.run({ find: 'c', sort: { v: 1 }, filter: { _id: { $ne: 8 } } })).cursor.firstBatch;
    expect(docs.map((d: { _id: unknown }) => Number(d._id))).to.deep.equal(
      [12, 11, 7, 10, 9, 8, 6, 5, 4, 3, 2, 1, 0].filter((i) => i !== 8),
    );
  });

  it('compares numbers exactly, NaN lowest', () => {
    expect(compareValues(Long.fromString('9007199254740993'), 9007199254740992)).to.equal(1);
    expect(compareValues(Decimal128.fromString('0.1'), 0.1)).to.not.equal(0);
    expect(compareValues(Decimal128.fromString('2.50'), new Double(2.5))).to.equal(0);
    expect(compareValues(NaN, -Infinity)).to.equal(-1);
    expect(compareValues(Decimal128.fromString('-Infinity'), -1e308)).to.equal(-1);
    expect(compareValues({ a: 1, b: 2 }, { b: 2, a: 1 })).to.not.equal(0);
  });
});

describe('engine: ObjectId order', () => {
  it('orders ObjectIds by their bytes', () => {
    const hexes = [
      '000000000000000000000000',
      '0000000000000000000000ff',
      '00000000000000000000ff00',
      'ff0000000000000000000000',
      'ffffffffffffffffffffffff',
    ];
    const ids = hexes.map((h) => new ObjectId(h));
    for (let i = 0; i < ids.length; i++) {
      for (let j = 0; j < ids.length; j++)
        expect(Math.sign(compareValues(ids[i], ids[j])), `${i} vs ${j}`).to.equal(Math.sign(i - j));
    }
  });
});

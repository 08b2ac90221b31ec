// BSON types survive a round trip through the server exactly, null and missing stay different, and numeric
// updates follow MongoDB's type promotion.
import { expect } from 'chai';
import {
  Binary,
  BSONRegExp,
  Decimal128,
  Double,
  Int32,
  Long,
  ObjectId,
  Timestamp,
  UUID,
  type Collection,
} from 'mongodb';
import { startHarness, type Harness } from './harness.ts';

describe('integration (driver): type round trips', () => {
  let h: Harness;
  let c: Collection;
  before(async () => {
    h = await startHarness();
    c = h.client.db('types').collection('values');
  });
  after(async () => {
    await h.stop();
  });

  const raw = { promoteValues: false, promoteLongs: false, bsonRegExp: true } as const;
  const typeOf = (v: unknown) =>
    (v as { _bsontype?: string })?._bsontype ?? Object.prototype.toString.call(v);

  it('returns every BSON type as it was sent', async () => {
    const oid = new ObjectId();
    const when = new Date('2026-02-03T04:05:06.789Z');
    const doc = {
      _id: oid,
      int32: new Int32(42),
      double: new Double(5),
      fraction: new Double(5.25),
      long: Long.fromString('9007199254740993'),
      smallLong: Long.fromNumber(7),
      decimal: Decimal128.fromString('12345.6789000'),
      date: when,
      binary: new Binary(Buffer.from([1, 2, 3]), 0),
      uuid: new UUID('0b0f0c48-4a49-4b2f-9b3e-1f3b2c1d0e0f').toBinary(),
      ts: new Timestamp({ t: 1700000000, i: 7 }),
      regex: new BSONRegExp('^ab+c', 'i'),
      nil: null,
      nested: { arr: [new Int32(1), new Double(2), 'three', [new Long(4)]] },
    };
    await c.insertOne(doc);
    const back = await c.findOne({ _id: oid }, raw);
    expect(back).to.not.equal(null);
    for (const key of Object.keys(doc) as Array<keyof typeof doc>) {
      expect(typeOf(back![key]), key).to.equal(typeOf(doc[key]));
    }
    expect(back!.double.valueOf()).to.equal(5);
    expect(back!.long.toString()).to.equal('9007199254740993');
    expect(back!.smallLong.toString()).to.equal('7');
    expect(back!.decimal.toString()).to.equal('12345.6789000');
    expect(back!.date.getTime()).to.equal(when.getTime());
    expect(back!.binary.sub_type).to.equal(0);
    expect(back!.uuid.sub_type).to.equal(4);
    expect(back!.ts.equals(doc.ts)).to.equal(true);
    expect(back!.regex).to.include({ pattern: '^ab+c', options: 'i' });
    expect(back!.nil).to.equal(null);
    expect(back!.nested.arr.map(typeOf)).to.deep.equal([
      'Int32',
      'Double',
      '[object String]',
      '[object Array]',
    ]);
    expect(typeOf(back!.nested.arr[3][0])).to.equal('Long');
  });

  it('finds numbers by value across numeric types', async () => {
    await c.insertMany([
      { tag: 'num', v: new Int32(5) },
      { tag: 'num', v: new Double(5) },
      { tag: 'num', v: Long.fromNumber(5) },
      { tag: 'num', v: Decimal128.fromString('5') },
      { tag: 'num', v: new Double(5.5) },
    ]);
    expect(await c.countDocuments({ tag: 'num', v: 5 })).to.equal(4);
    expect(await c.countDocuments({ tag: 'num', v: { $gt: 5 } })).to.equal(1);
  });

  it('keeps null and missing distinct', async () => {
    await c.insertMany([
      { tag: 'nm', name: 'null', x: null },
      { tag: 'nm', name: 'missing' },
      { tag: 'nm', name: 'zero', x: 0 },
    ]);
    const names = async (filter: object) =>
      (await c.find({ tag: 'nm', ...filter }).toArray()).map((d) => d.name).sort();
    expect(await names({ x: null })).to.deep.equal(['missing', 'null']);
    expect(await names({ x: { $exists: false } })).to.deep.equal(['missing']);
    expect(await names({ x: { $type: 'null' } })).to.deep.equal(['null']);
    const nullDoc = await c.findOne({ tag: 'nm', name: 'null' });
    const missingDoc = await c.findOne({ tag: 'nm', name: 'missing' });
    expect(nullDoc).to.have.property('x', null);
    expect(missingDoc).to.not.have.property('x');
  });

  it('promotes numeric types in $inc as MongoDB does', async () => {
    const { insertedId } = await c.insertOne({ i: new Int32(1), l: Long.fromNumber(1), d: new Double(1.5) });
    await c.updateOne(
      { _id: insertedId },
      { $inc: { i: Long.fromNumber(2), l: new Int32(1), d: new Int32(1) } },
    );
    const back = await c.findOne({ _id: insertedId }, raw);
    expect([typeOf(back!.i), back!.i.toString()]).to.deep.equal(['Long', '3']);
    expect([typeOf(back!.l), back!.l.toString()]).to.deep.equal(['Long', '2']);
    expect([typeOf(back!.d), back!.d.valueOf()]).to.deep.equal(['Double', 2.5]);
  });
});

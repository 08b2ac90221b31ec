// A document's entries for many indexes computed through one KeyMemo (each field value encoded once, each
// distinct partial filter tested once) must be the very strings each index computes on its own: the same
// documents against the same indexes, with and without a memo, over nested paths, arrays, missing fields,
// null, mixed types, partial filters true and false, sparse and compound descending keys.
import { expect } from 'chai';
import { Decimal128, Double, Int32, Long, ObjectId, type Document } from 'bson';
import { idKeyOf } from '../../../server/db/embedded/engine/collection.ts';
import { KeyMemo, OrderedIndex } from '../../../server/db/embedded/engine/ordered-index.ts';

const OPEN = { state: { $in: ['dispatched', 'in_progress'] } };
const SPECS: { key: Document; partialFilterExpression?: Document; sparse?: boolean }[] = [
  { key: { _id: 1 } },
  { key: { state: 1 } },
  { key: { state: -1, createdAt: -1 } },
  { key: { unitId: 1, state: 1, createdAt: -1 } },
  { key: { createdAt: -1 }, partialFilterExpression: OPEN },
  { key: { unitId: 1, dueAt: 1 }, partialFilterExpression: OPEN },
  { key: { dueAt: -1 }, partialFilterExpression: { state: { $in: ['dispatched', 'in_progress'] } } },
  { key: { dueAt: 1 }, partialFilterExpression: { dueAt: { $gt: new Date(1000) } } },
  { key: { dueAt: 1, n: -1 }, partialFilterExpression: { dueAt: { $gt: '1970-01-01T00:00:01.000Z' } } },
  { key: { warning: 1 }, sparse: true },
  { key: { warning: -1, n: 1 }, sparse: true },
  { key: { tags: 1, createdAt: -1 } },
  { key: { 'contact.phone': 1, state: 1 } },
  { key: { 'contact.phone': -1 }, partialFilterExpression: { 'contact.phone': { $exists: true } } },
  { key: { n: 1, text: -1 } },
];

const values = [
  undefined,
  null,
  'dispatched',
  'in_progress',
  'closed',
  '',
  '问题\u0000\u0001\uffff',
  new Date(0),
  new Date(1_700_000_000_000),
  new ObjectId('65a0000000000000000000aa'),
  3,
  -2.5,
  new Int32(3),
  new Long(3),
  new Double(-0),
  Decimal128.fromString('3.0'),
  true,
  { a: 1, b: 'x' },
  [],
  ['a', 'b', 'a'],
  [1, [2], null],
];

function docOf(i: number): Document {
  const doc: Document = { _id: i % 4 === 0 ? new ObjectId() : i };
  const pick = (salt: number) => values[(i * 5 + salt * 13) % values.length];
  for (const [salt, f] of ['state', 'createdAt', 'unitId', 'dueAt', 'warning', 'n', 'text'].entries()) {
    const v = pick(salt);
    // Arrays on one compound field only: the other fields of a document stay scalars (no parallel arrays).
    if (Array.isArray(v) && f !== 'createdAt') continue;
    if (v !== undefined) doc[f] = v;
  }
  if (i % 3 === 0) doc.state = ['dispatched', 'in_progress', 'closed'][i % 9 === 0 ? 0 : 2];
  if (i % 5 !== 0) doc.tags = [['x', 'y', 'x'], 'x', []][i % 3];
  if (i % 4 === 1) doc.contact = { phone: pick(9) };
  else if (i % 4 === 2) doc.contact = [{ phone: '1' }, { phone: '2' }];
  return doc;
}

const build = () => SPECS.map((s, i) => new OrderedIndex('db.c', { v: 2, name: `ix${i}`, ...s }));

describe('KeyMemo', () => {
  it('gives each index exactly the entries it computes alone, and the same multikey paths', () => {
    const alone = build();
    const shared = build();
    let entries = 0;
    let skipped = 0;
    for (let i = 0; i < 400; i++) {
      const doc = docOf(i);
      const idKey = idKeyOf(doc._id);
      const memo = new KeyMemo(doc);
      for (let j = 0; j < alone.length; j++) {
        let expected: string[] | Error;
        try {
          expected = alone[j].keysFor(doc, idKey);
        } catch (e) {
          expected = e as Error;
        }
        if (expected instanceof Error) {
          expect(() => shared[j].keysFor(doc, idKey, memo), `${i} ${j}`).to.throw(expected.message);
          continue;
        }
        expect(shared[j].keysFor(doc, idKey, memo), `doc ${i} index ${j}`).to.deep.equal(expected);
        entries += expected.length;
        if (expected.length === 0) skipped++;
      }
    }
    for (let j = 0; j < alone.length; j++) {
      expect(shared[j].multikey).to.equal(alone[j].multikey);
      expect(shared[j].multikeyFields).to.deep.equal(alone[j].multikeyFields);
    }
    // The documents reach both sides of every partial and sparse test, and multikey indexes.
    expect(skipped).to.be.greaterThan(100);
    expect(entries).to.be.greaterThan(4000);
    expect(alone.filter((ix) => ix.multikey).length).to.be.greaterThan(2);
  });
});

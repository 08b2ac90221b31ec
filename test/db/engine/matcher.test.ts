import { expect } from 'chai';
import { Double, Long, ObjectId, type Document } from 'bson';
import { compileFilter } from '../../../server/db/embedded/engine/matcher.ts';
import { canonicalDoc } from '../../../server/db/embedded/engine/values.ts';

// Expected results follow MongoDB's documented matching rules for arrays, nested paths and missing fields.
const doc = canonicalDoc({
  a: [{ b: [1, 9] }, { b: [4] }],
  c: [
    [1, 2],
    [3, 4],
  ],
  e: [
    { x: 1, y: 2 },
    { x: 3, y: 4 },
  ],
  n: [3, 8],
  s: 'Hello',
  o: { p: [{ q: 1 }, { q: 5 }] },
  z: null,
});

const cases: [Document, boolean][] = [
  [{ 'a.b': { $elemMatch: { $gt: 3, $lt: 5 } } }, true],
  [{ 'a.b': { $elemMatch: { $gt: 5, $lt: 8 } } }, false],
  [{ c: { $elemMatch: { $elemMatch: { $gt: 3 } } } }, true],
  [{ e: { $elemMatch: { x: 1, y: 4 } } }, false],
  [{ e: { $elemMatch: { x: 3, y: 4 } } }, true],
  [{ 'e.x': 1, 'e.y': 4 }, true],
  [{ 'a.b': 9 }, true],
  [{ 'a.b': [4] }, true],
  [{ c: [1, 2] }, true],
  [{ c: 1 }, false],
  [{ e: { x: 1, y: 2 } }, true],
  [{ e: { y: 2, x: 1 } }, false],
  [{ n: { $elemMatch: { $gt: 5, $lt: 9 } } }, true],
  [{ n: { $gt: 5, $lt: 4 } }, true],
  [{ n: { $not: { $gt: 10 } } }, true],
  [{ n: { $all: [8, 3] } }, true],
  [{ n: { $size: 2 } }, true],
  [{ n: { $mod: [4, 0] } }, true],
  [{ $and: [{ n: 3 }, { n: 8 }] }, true],
  [{ s: { $not: /^h/ } }, true],
  [{ s: { $not: /^H/ } }, false],
  [{ s: { $in: [/ell/] } }, true],
  [{ 'o.p.q': 5 }, true],
  [{ 'o.p.1.q': 5 }, true],
  [{ 'o.p': { $elemMatch: { q: { $gte: 2 } } } }, true],
  [{ z: { $type: 'null' } }, true],
  [{ z: { $exists: true } }, true],
  [{ missing: { $in: [null, 3] } }, true],
  [{ missing: { $ne: null } }, false],
  [{ z: { $exists: new Double(0) } }, false],
  [{ missing: { $exists: 0 } }, true],
  [{ $expr: { $eq: [{ $size: '$n' }, 2] } }, true],
];

describe('engine: matcher semantics', () => {
  it('rejects malformed operator arguments with BadValue', () => {
    for (const bad of [
      { n: { $size: -1 } },
      { n: { $size: 1.5 } },
      { n: { $size: 'x' } },
      { n: { $mod: [0, 1] } },
      { n: { $in: 5 } },
    ]) {
      expect(() => compileFilter(bad)(doc), JSON.stringify(bad))
        .to.throw()
        .with.property('code', 2);
    }
    for (const bad of [
      { n: { $type: 'float' } },
      { n: { $type: [] } },
      { n: { $type: ['int', 99] } },
      { n: { $not: 1 } },
      { n: { $not: {} } },
      { $and: [] },
      { $or: [1] },
      { $or: [{ n: 1 }, { $nor: [] }] },
    ]) {
      // Refused when the filter is compiled, before any document: MongoDB refuses them when it parses.
      expect(() => compileFilter(bad), JSON.stringify(bad))
        .to.throw()
        .with.property('code', 2);
    }
  });

  it("answers a pattern or options that do not compile with MongoDB's codes", () => {
    for (const [filter, code] of [
      [{ s: { $regex: '(' } }, 51091],
      [{ s: { $regex: 'a', $options: 'q' } }, 51108],
      // MongoDB's extended flag, which JavaScript's RegExp has not: unsupported, never read as another.
      [{ s: { $regex: 'a b', $options: 'x' } }, 238],
    ] as const) {
      expect(() => compileFilter(filter)({ s: 'a' }), JSON.stringify(filter))
        .to.throw()
        .with.property('code', code);
    }
  });

  it('still matches the well-formed neighbours of those refusals', () => {
    const d = { n: 5, s: 'abc', l: [1, 'x'] };
    expect(compileFilter({ n: { $type: 'number' } })(d)).to.equal(true);
    expect(compileFilter({ l: { $type: ['string', 'bool'] } })(d)).to.equal(true);
    expect(compileFilter({ n: { $type: 16 } })(d)).to.equal(true);
    expect(compileFilter({ n: { $not: { $gt: 9 } } })(d)).to.equal(true);
    expect(compileFilter({ s: { $not: /b/ } })(d)).to.equal(false);
    expect(compileFilter({ $or: [{ n: 1 }, { $and: [{ n: 5 }, { s: 'abc' }] }] })(d)).to.equal(true);
  });

  it('literal equalities (compiled without mingo) agree with the same filters written with $eq', () => {
    const id = new ObjectId();
    const when = new Date('2026-01-01T00:00:00Z');
    const d = canonicalDoc({ _id: id, k: 5, f: new Double(2.5), s: 'Hello', t: when, arr: [1, 2], z: null });
    const literals: [Document, boolean][] = [
      [{ k: 5 }, true],
      [{ k: new Double(5) }, true],
      [{ k: Long.fromNumber(5) }, true],
      [{ k: 6 }, false],
      [{ f: 2.5 }, true],
      [{ _id: id, s: 'Hello' }, true],
      [{ _id: new ObjectId(), s: 'Hello' }, false],
      [{ t: new Date(when.getTime()) }, true],
      [{ arr: 2 }, true],
      [{ z: null }, true],
      [{ missing: null }, true],
      [{ k: null }, false],
      [{ 'o.q': 1 }, true],
      [{ s: /^H/ }, true],
      [{ s: /^h/ }, false],
    ];
    const withO = { ...d, o: [{ q: 1 }] };
    for (const [filter, want] of literals) {
      expect(compileFilter(filter)(withO), JSON.stringify(filter)).to.equal(want);
      const viaEq = Object.fromEntries(
        Object.entries(filter).map(([k, v]) => [k, v instanceof RegExp ? { $regex: v } : { $eq: v }]),
      );
      expect(compileFilter(viaEq)(withO), `${JSON.stringify(filter)} via $eq`).to.equal(want);
    }
  });

  for (const [filter, want] of cases) {
    it(`${JSON.stringify(filter)} -> ${want}`, () => {
      expect(compileFilter(filter)(doc)).to.equal(want);
    });
  }
});

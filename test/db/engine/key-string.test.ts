import { expect } from 'chai';
import { inspect } from 'node:util';
import {
  Binary,
  BSONSymbol,
  Code,
  DBRef,
  Decimal128,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
} from 'bson';
import { compareValues } from '../../../server/db/embedded/engine/compare.ts';
import {
  encodeEntry,
  encodeTuple,
  encodeValue,
  entryIdKey,
  entryOfKeys,
  entryTuple,
  indexEntry,
  KEY_MAX,
  type Dir,
} from '../../../server/db/embedded/engine/key-string.ts';
import { BracketBound, TypeOrder } from '../../../server/db/embedded/engine/values.ts';
import { exactDecimal, int, pick, randomValue, rng, type Rand } from './random-bson.ts';

// Every property is checked against compareValues itself, the order the engine uses today.
const sign = (x: number): number => (x < 0 ? -1 : x > 0 ? 1 : 0);
const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const show = (v: unknown): string => inspect(v, { depth: 5, breakLength: Infinity });
const DIRS: Dir[] = [1, -1];

function expectSameOrder(a: unknown, b: unknown, dir: Dir): void {
  const want = sign(compareValues(a, b)) * dir;
  const got = cmpStr(encodeValue(a, dir), encodeValue(b, dir));
  if (got !== want)
    expect.fail(`dir ${dir}: ${show(a)} vs ${show(b)}: keys say ${got}, compareValues ${want}`);
}

function isOneByte(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

function hasWideString(v: unknown): boolean {
  if (typeof v === 'string') return !isOneByte(v);
  if (v instanceof RegExp) return hasWideString(v.source);
  if (Array.isArray(v)) return v.some(hasWideString);
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
    return (
      Object.entries(v).some(([k, x]) => hasWideString(k) || hasWideString(x)) || hasWideString(String(v))
    );
  }
  return false;
}

const pool = ((): unknown[] => {
  const r = rng(20261124);
  return Array.from({ length: 2500 }, () => randomValue(r));
})();

const BRACKET_ORDERS = [0, ...Object.values(TypeOrder), 99];
const brackets = BRACKET_ORDERS.flatMap((t) => [new BracketBound(t, false), new BracketBound(t, true)]);

describe('engine: key strings (order-preserving index keys)', () => {
  describe('numbers', () => {
    it('gives equal numbers of every type one key: 5, 0, -0, NaN, the infinities', () => {
      const groups: unknown[][] = [
        [new Int32(5), new Double(5), Long.fromNumber(5), Decimal128.fromString('5.00'), 5, 5n],
        [
          0,
          -0,
          new Double(-0),
          new Int32(0),
          Long.ZERO,
          Decimal128.fromString('-0'),
          Decimal128.fromString('0E+9'),
        ],
        [NaN, new Double(NaN), Decimal128.fromString('NaN'), new Double(-NaN)],
        [Infinity, Decimal128.fromString('Infinity')],
        [-Infinity, new Double(-Infinity), Decimal128.fromString('-Infinity')],
        [0.5, Decimal128.fromString('0.50'), Decimal128.fromString('5E-1')],
        [2 ** 60, Long.fromBigInt(2n ** 60n), 2n ** 60n, Decimal128.fromString('1152921504606846976')],
        [-(2 ** 63), Long.MIN_VALUE, Decimal128.fromString('-9223372036854775808')],
        [100, Decimal128.fromString('1E+2'), Decimal128.fromString('0.0001E+6')],
      ];
      for (const group of groups) {
        for (const dir of DIRS) {
          const keys = new Set(group.map((v) => encodeValue(v, dir)));
          expect(keys.size, `dir ${dir}: ${show(group)}`).to.equal(1);
        }
      }
    });

    it('orders Longs beyond 2^53 and Decimal128 values exactly against doubles', () => {
      const ascending: unknown[] = [
        NaN,
        -Infinity,
        Decimal128.fromString('-9.999999999999999999999999999999999E+6144'),
        -Number.MAX_VALUE,
        Long.MIN_VALUE,
        -1,
        -5e-324,
        Decimal128.fromString('-1E-6176'),
        0,
        Decimal128.fromString('1E-6176'),
        Decimal128.fromString('4E-324'),
        5e-324,
        Decimal128.fromString('5E-324'),
        1e-323,
        Decimal128.fromString('1E-320'),
        2.225073858507201e-308,
        Decimal128.fromString('2.2250738585072012E-308'),
        2.2250738585072014e-308,
        Decimal128.fromString('0.1'),
        Decimal128.fromString('0.1000000000000000055511151231257827'),
        0.1,
        Decimal128.fromString('0.1000000000000000055511151231257828'),
        2 ** 53,
        Long.fromString('9007199254740993'),
        Decimal128.fromString('9007199254740993.5'),
        2 ** 53 + 2,
        Long.MAX_VALUE,
        2 ** 63,
        Decimal128.fromString('1E+50'),
        Decimal128.fromString('1.000000000000000000000000000000001E+50'),
        Number.MAX_VALUE,
        Decimal128.fromString('9.999999999999999999999999999999999E+6144'),
        Infinity,
      ];
      for (let i = 0; i < ascending.length; i++) {
        for (let j = 0; j < ascending.length; j++) {
          expect(sign(compareValues(ascending[i], ascending[j])), 'the ladder itself').to.equal(sign(i - j));
          for (const dir of DIRS) expectSameOrder(ascending[i], ascending[j], dir);
        }
      }
    });

    it('agrees with compareValues on every pair of a ladder of edge numbers in all their representations', () => {
      const r = rng(7);
      const values = pool.filter((v) => compareValues(v, new BracketBound(TypeOrder.Number, false)) > 0);
      const numbers = values.filter((v) => compareValues(v, new BracketBound(TypeOrder.Number, true)) < 0);
      const sample = Array.from({ length: 300 }, () => pick(r, numbers));
      const asc = sample.map((v) => encodeValue(v, 1));
      const desc = sample.map((v) => encodeValue(v, -1));
      for (let i = 0; i < sample.length; i++) {
        for (let j = 0; j < sample.length; j++) {
          const want = sign(compareValues(sample[i], sample[j]));
          const got = [cmpStr(asc[i], asc[j]), -cmpStr(desc[i], desc[j])];
          if (got[0] !== want || got[1] !== want) expect.fail(`${show(sample[i])} vs ${show(sample[j])}`);
        }
      }
    });

    it('every double equals its exact Decimal128 twin, and its neighbours stay apart', () => {
      const r = rng(11);
      for (let n = 0; n < 3000; n++) {
        const view = new DataView(new ArrayBuffer(8));
        view.setUint32(0, int(r, 2 ** 32));
        view.setUint32(4, int(r, 2 ** 32));
        const x = n % 2 ? view.getFloat64(0) : (int(r, 2 ** 20) - 2 ** 19) / 2 ** int(r, 40);
        const twin = exactDecimal(x);
        if (twin) expect(encodeValue(Decimal128.fromString(twin)), `${x} = ${twin}`).to.equal(encodeValue(x));
        if (Number.isFinite(x)) {
          const shortest = Decimal128.fromString(String(x).replace('e', 'E'));
          for (const dir of DIRS) expectSameOrder(shortest, x, dir);
        }
      }
    });

    it('stays prefix-free when a truncated Decimal128 shares its first fraction bits with a neighbour', () => {
      const pairs = [
        ['75448478154665.47487926010173824887', '75448478154665.47487926010173824888'],
        ['699641146876804147447908822.6863904', '699641146876804147447908822.6863905'],
        ['-75448478154665.47487926010173824888', '-75448478154665.47487926010173824887'],
        ['-699641146876804147447908822.6863905', '-699641146876804147447908822.6863904'],
      ].map((p) => p.map((s) => Decimal128.fromString(s)));
      for (const [x, y] of pairs) {
        for (const dir of DIRS) {
          const [kx, ky] = [encodeValue(x, dir), encodeValue(y, dir)];
          expect(ky.startsWith(kx) || kx.startsWith(ky), x.toString()).to.equal(false);
          const dirs: Dir[] = [dir, 1];
          expect(encodeTuple([x, new MaxKey()], dirs) < encodeTuple([y, new MinKey()], dirs)).to.equal(
            dir === 1,
          );
        }
      }
    });

    it('keeps numbers short and one-byte in both directions', () => {
      expect(encodeValue(new Int32(5))).to.have.length(4);
      expect(encodeValue(3.14159).length).to.be.at.most(11);
      for (const v of [1, -1, 0.1, -0.1, 2 ** 53, Long.MAX_VALUE, Decimal128.fromString('0.1'), NaN]) {
        for (const dir of DIRS) expect(isOneByte(encodeValue(v, dir)), show(v)).to.equal(true);
      }
    });
  });

  describe('strings', () => {
    it('order by UTF-16 code units with U+0000, U+0001, U+00FF/U+0100 and surrogates, both directions', () => {
      const ladder = [
        '',
        '\u0000',
        '\u0000\u0000',
        '\u0000\u0001',
        '\u0001',
        '\u0001\u0000',
        '\u0002',
        'a',
        'a\u0000',
        'a\u0000\u0000',
        'a\u0001',
        'ab',
        '\u00fe',
        '\u00ff',
        '\u00ff\u0000',
        '\u0100',
        '中',
        '\ud800',
        '\ud83d\ude00',
        '\udfff',
        '\ue000',
        '\ufffe',
        '\uffff',
        '\uffff\uffff',
      ];
      for (const a of ladder) for (const b of ladder) for (const dir of DIRS) expectSameOrder(a, b, dir);
      expect(encodeValue(new BSONSymbol('ab'))).to.equal(encodeValue('ab'));
    });

    it('stay one-byte for Latin-1 text in both directions, and for any text when descending', () => {
      expect(isOneByte(encodeValue('héllo\u0000\u00ff'))).to.equal(true);
      expect(isOneByte(encodeValue('héllo\u0000\u00ff', -1))).to.equal(true);
      expect(isOneByte(encodeValue('涉企问题\ud800', -1))).to.equal(true);
      expect(encodeValue('涉企问题')).to.have.length(6);
    });
  });

  describe('random values', () => {
    it('equality and order agree with compareValues on 40,000 random pairs in both directions', () => {
      const r = rng(3);
      let equal = 0;
      for (let n = 0; n < 20000; n++) {
        // Half the pairs come from a small slice of the pool, so equal values meet often.
        const a = pick(r, pool);
        const b = n % 2 ? pick(r, pool) : pool[(pool.indexOf(a) + int(r, 3)) % pool.length];
        for (const dir of DIRS) {
          const same = encodeValue(a, dir) === encodeValue(b, dir);
          expect(same, `${show(a)} vs ${show(b)}`).to.equal(compareValues(a, b) === 0);
          expectSameOrder(a, b, dir);
        }
        if (compareValues(a, b) === 0) equal++;
      }
      expect(equal, 'pairs that compareValues calls equal').to.be.above(500);
    });

    it('sorting by key sorts by compareValues, and equal keys are exactly the equal values', () => {
      for (const dir of DIRS) {
        const keyed = pool.map((v) => ({ v, k: encodeValue(v, dir) }));
        keyed.sort((x, y) => cmpStr(x.k, y.k));
        for (let i = 1; i < keyed.length; i++) {
          const [x, y] = [keyed[i - 1], keyed[i]];
          const c = sign(compareValues(x.v, y.v)) * dir;
          expect(c, `${show(x.v)} before ${show(y.v)}`).to.equal(x.k === y.k ? 0 : -1);
        }
      }
    });

    it('no key is a proper prefix of another and every key starts with a char in 0x01..0xFE', () => {
      for (const dir of DIRS) {
        const keys = [...new Set([...pool, ...brackets].map((v) => encodeValue(v, dir)))].sort();
        for (let i = 1; i < keys.length; i++) {
          expect(keys[i].startsWith(keys[i - 1]), `${show(keys[i - 1])} / ${show(keys[i])}`).to.equal(false);
        }
        for (const k of keys) expect(k.charCodeAt(0)).to.be.within(0x01, 0xfe);
      }
    });

    it('stays one-byte unless an ascending value holds a string unit above 0xFF', () => {
      for (const v of pool) {
        expect(isOneByte(encodeValue(v, -1)), show(v)).to.equal(true);
        if (!hasWideString(v)) expect(isOneByte(encodeValue(v, 1)), show(v)).to.equal(true);
      }
    });
  });

  describe('tuples', () => {
    it('order like compareValues field by field, each in its own direction', () => {
      const r = rng(5);
      const slice = pool.slice(0, 40);
      for (let n = 0; n < 20000; n++) {
        const len = 1 + int(r, 3);
        const dirs = Array.from({ length: len }, () => pick(r, DIRS));
        const a = Array.from({ length: len }, () => pick(r, slice));
        const b = a.map((v) => (r() < 0.5 ? v : pick(r, slice)));
        let want = 0;
        for (let i = 0; i < len && !want; i++) want = sign(compareValues(a[i], b[i])) * dirs[i];
        const got = cmpStr(encodeTuple(a, dirs), encodeTuple(b, dirs));
        expect(got, `${show(a)} vs ${show(b)} dirs ${dirs}`).to.equal(want);
      }
    });
  });

  describe('type brackets', () => {
    it('sit just before / after every value of their class in value order, for both directions', () => {
      for (const bracket of brackets) {
        for (const v of [...pool, ...brackets]) for (const dir of DIRS) expectSameOrder(bracket, v, dir);
      }
    });
  });

  describe('range construction with KEY_MAX', () => {
    type Bound = { v: unknown; excl: boolean };

    function randomBound(r: Rand, near: unknown): Bound {
      const bracketOf = (x: unknown): BracketBound => {
        const order = BRACKET_ORDERS.find((t) => compareValues(new BracketBound(t, true), x) > 0) ?? 99;
        return new BracketBound(r() < 0.8 ? order : pick(r, BRACKET_ORDERS), r() < 0.5);
      };
      return { v: r() < 0.3 ? bracketOf(near) : near, excl: r() < 0.5 };
    }

    /** [lowest, highest] tree keys of "prefix P, then the field within [lo, hi]", as the scan builds them. */
    function rangeKeys(prefix: string, lo: Bound, hi: Bound, dir: Dir): [string, string] {
      const [first, last] = dir === 1 ? [lo, hi] : [hi, lo];
      const from = prefix + encodeValue(first.v, dir) + (first.excl ? KEY_MAX : '');
      const to = prefix + encodeValue(last.v, dir) + (last.excl ? '' : KEY_MAX);
      return [from, to];
    }

    function inside(v: unknown, lo: Bound, hi: Bound): boolean {
      const a = compareValues(lo.v, v);
      const b = compareValues(v, hi.v);
      return (lo.excl ? a < 0 : a <= 0) && (hi.excl ? b < 0 : b <= 0);
    }

    it('selects exactly the entries with the prefix and the field inside random intervals', () => {
      const r = rng(9);
      const prefixValues = [1, new Double(1), Long.fromNumber(1), 'a', null, undefined, new MinKey(), [1]];
      const ids = Array.from({ length: 50 }, () => encodeValue(randomValue(r)));
      let selected = 0;
      for (let trial = 0; trial < 400; trial++) {
        const nPrefix = int(r, 3);
        const dirs = Array.from({ length: nPrefix + 2 }, () => pick(r, DIRS));
        const pv = Array.from({ length: nPrefix }, () => pick(r, prefixValues));
        let lo = randomBound(r, pick(r, pool));
        let hi = randomBound(r, r() < 0.5 ? pick(r, pool) : lo.v);
        if (compareValues(lo.v, hi.v) > 0) [lo, hi] = [hi, lo];
        const dir = dirs[nPrefix];
        const [from, to] = rangeKeys(encodeTuple(pv, dirs.slice(0, nPrefix)), lo, hi, dir);
        for (let n = 0; n < 60; n++) {
          const qv = pv.map((x) => (r() < 0.8 ? pick(r, prefixValues) : x));
          const v = r() < 0.3 ? pick(r, [lo.v, hi.v, pick(r, pool)]) : pick(r, pool);
          if (v instanceof BracketBound) continue;
          const entry = indexEntry(encodeTuple([...qv, v, pick(r, pool)], dirs), pick(r, ids));
          const want = qv.every((x, i) => compareValues(x, pv[i]) === 0) && inside(v, lo, hi);
          const got = entry >= from && entry <= to;
          if (got !== want) expect.fail(`${show({ pv, qv, v, lo, hi, dir })}: selected ${got}`);
          if (got) selected++;
        }
      }
      expect(selected, 'entries inside some range').to.be.above(1000);
    });
  });

  describe('index entries', () => {
    it('give back their idKey and tuple for short and long ids', () => {
      const tuple = encodeTuple(['涉企', new Date(0), new ObjectId()], [1, -1, 1]);
      for (const len of [0, 1, 0xee, 0xef, 0xf0, 0xff, 0x100, 300, 70000, 1_100_000]) {
        const id = (len % 2 ? '中' : 'x').repeat(len);
        const idKey = encodeValue(id);
        expect(idKey === 'A' + id + '\u0000', `key of ${len} chars`).to.equal(true);
        const entry = indexEntry(tuple, idKey);
        expect(entryIdKey(entry), `id of ${len} chars`).to.equal(idKey);
        expect(entryTuple(entry)).to.equal(tuple);
      }
    });

    it('encodeEntry equals indexEntry of the tuple, and equal _ids give the same idKey', () => {
      const tupleValues = ['a', new Date(0), new ObjectId('0123456789abcdef01234567')];
      const idKey = encodeValue(new Int32(7));
      expect(encodeValue(new Double(7))).to.equal(idKey);
      expect(encodeValue(Long.fromNumber(7))).to.equal(idKey);
      const dirs: Dir[] = [1, -1, 1];
      expect(encodeEntry(tupleValues, dirs, idKey)).to.equal(
        indexEntry(encodeTuple(tupleValues, dirs), idKey),
      );
    });

    it('entryOfKeys of each value key equals encodeEntry, narrow or wide, for short and long ids', () => {
      const r = rng(29);
      for (let i = 0; i < 600; i++) {
        const n = 1 + int(r, 3);
        const values = Array.from({ length: n }, () =>
          i % 5 === 0 ? '涉企问题' + int(r, 9) : randomValue(r),
        );
        const dirs = values.map(() => pick(r, DIRS));
        const len = pick(r, [0, 1, 12, 0xef, 0xf0, 300]);
        const idKey = encodeValue((i % 3 ? 'x' : '中').repeat(len));
        const keys = values.map((v, j) => encodeValue(v, dirs[j]));
        // A longer list than n, as the index passes its scratch list: only the first n count.
        const got = entryOfKeys([...keys, encodeValue('stale')], n, idKey);
        if (got !== encodeEntry(values, dirs, idKey))
          expect.fail(`entry of ${show(values)}, id of ${len} chars`);
        expect(entryIdKey(got)).to.equal(idKey);
      }
    });

    it('with the same tuple, order by _id ascending whatever the field directions', () => {
      const r = rng(13);
      const tuple = encodeTuple(['a', 5], [-1, -1]);
      const ids = Array.from({ length: 400 }, () => randomValue(r));
      const entries = ids.map((id) => ({ id, entry: indexEntry(tuple, encodeValue(id)) }));
      entries.sort((x, y) => cmpStr(x.entry, y.entry));
      for (let i = 1; i < entries.length; i++) {
        expect(compareValues(entries[i - 1].id, entries[i].id)).to.be.at.most(0);
      }
    });
  });

  describe('values no key order can represent', () => {
    it('are refused with NotImplemented (238) rather than ordered wrongly', () => {
      for (const v of [new Date(NaN), new Map([[1, 2]]), () => 1, Symbol('s'), { a: [new Date('x')] }]) {
        expect(() => encodeValue(v), show(v))
          .to.throw()
          .with.property('code', 238);
      }
    });

    it('follow compareValues where it departs from MongoDB: Code scope ignored, DBRef as its own fields', () => {
      const oid = new ObjectId('0123456789abcdef01234567');
      const pairs: [unknown, unknown][] = [
        [new Code('f()', { x: 1 }), new Code('f()')],
        [new DBRef('c', oid), { collection: 'c', oid, db: null, fields: {} }],
        [new Binary(Buffer.from('ab'), 0), Buffer.from('ab')],
      ];
      for (const [a, b] of pairs) {
        expect(compareValues(a, b), show(a)).to.equal(0);
        expect(encodeValue(a), show(a)).to.equal(encodeValue(b));
      }
    });

    it('refuse brackets of a type class that does not exist, or inside a value', () => {
      expect(() => encodeValue(new BracketBound(7.5, false)))
        .to.throw()
        .with.property('code', 1);
      expect(() => encodeValue([new BracketBound(3, false)]))
        .to.throw()
        .with.property('code', 1);
    });

    it('refuse a document whose own _bsontype field would make compareValues misclassify it', () => {
      expect(() => encodeValue({ _bsontype: 'ObjectId' }))
        .to.throw()
        .with.property('code', 238);
    });
  });
});

// Top-level updates applied to the stored bytes (engine/update/patch.ts) must give exactly what the general
// path gives (decode, apply the operators to a copy, compare, encode): the same bytes, the same "unchanged",
// the same error. Checked on random documents of every BSON type and random updates over their fields, then
// through the update command, whose indexes must follow the patched fields.
import { expect } from 'chai';
import { BSON, Int32, type Document } from 'bson';
import { decodeDoc, encodeDoc } from '../../../server/db/embedded/engine/bson-raw.ts';
import { applyUpdate, identical, validateUpdate } from '../../../server/db/embedded/engine/update/apply.ts';
import { patchTopLevel, topLevelUpdate } from '../../../server/db/embedded/engine/update/patch.ts';
import { compileArrayFilters } from '../../../server/db/embedded/engine/update/target.ts';
import { MongoError } from '../../../server/db/embedded/errors.ts';
import { harness, indexContents } from './harness.ts';
import { int, pick, randomValue, rng, type Rand } from './random-bson.ts';

const NAMES = ['a', 'b', 'list', 'n', '名称', 'zz'];
const NOW = new Date('2026-11-30T08:00:00Z');
const ctx = { positional: () => -1, arrayFilters: compileArrayFilters(undefined) };

/** Stored documents whose full decode and encode gives their bytes back (the general path's premise). */
function randomDocs(r: Rand, count: number): Buffer[] {
  const out: Buffer[] = [];
  while (out.length < count) {
    const doc: Document = { _id: out.length };
    for (const name of NAMES) {
      if (r() < 0.25) continue;
      if (name === 'list') doc.list = Array.from({ length: int(r, 4) }, () => randomValue(r, 1));
      else if (name === 'n') doc.n = pick(r, [new Int32(int(r, 100)), 2.5, 'x', null]);
      else doc[name] = randomValue(r);
    }
    try {
      const bytes = encodeDoc(doc);
      if (encodeDoc(decodeDoc(bytes)).equals(bytes)) out.push(bytes);
    } catch {
      // Names or values BSON cannot hold.
    }
  }
  return out;
}

function randomArg(r: Rand, op: string): unknown {
  switch (op) {
    case '$inc':
    case '$mul':
      return pick(r, [1, new Int32(2), 0.5, 2 ** 31, 'x']);
    case '$push':
      return pick(r, [
        randomValue(r, 1),
        { $each: [randomValue(r, 1), randomValue(r, 1)] },
        { $each: [] },
        { $each: [new Int32(1)], $slice: -2 },
        { $each: [new Int32(3), new Int32(1)], $sort: 1 },
      ]);
    case '$unset':
      return '';
    case '$pop':
      return pick(r, [1, -1]);
    case '$currentDate':
      return true;
    case '$pull':
    case '$addToSet':
    case '$set':
    case '$min':
    case '$max':
      return randomValue(r, 1);
  }
  throw new Error(op);
}

const OPS = [
  '$set',
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$push',
  '$push',
  '$addToSet',
  '$pull',
  '$pop',
  '$min',
  '$max',
  '$currentDate',
];

function randomUpdate(r: Rand): Document {
  const update: Document = {};
  const names = [...NAMES].sort(() => r() - 0.5).slice(0, 1 + int(r, 3));
  for (const name of names) {
    const op = pick(r, OPS);
    update[op] ??= {};
    update[op][name] = randomArg(r, op);
  }
  return update;
}

type Outcome = { bytes?: string; error?: number };

function general(bytes: Buffer, update: Document): Outcome {
  try {
    const doc = decodeDoc(bytes);
    const next = applyUpdate(doc, update, { ctx, now: NOW, isInsert: false });
    return identical(doc, next) ? {} : { bytes: encodeDoc(next).toString('hex') };
  } catch (err) {
    return { error: (err as MongoError).code };
  }
}

function patched(bytes: Buffer, update: Document): Outcome {
  try {
    const next = patchTopLevel(bytes, topLevelUpdate(update)!, { now: NOW, isInsert: false, id: 0 });
    return next ? { bytes: next.toString('hex') } : {};
  } catch (err) {
    return { error: (err as MongoError).code };
  }
}

describe('engine: top-level updates on the stored bytes', () => {
  it('give the same bytes, no-ops and errors as the general path, on random documents and updates', () => {
    const r = rng(11);
    const docs = randomDocs(r, 300);
    let compared = 0;
    let modified = 0;
    for (const bytes of docs) {
      for (let k = 0; k < 8; k++) {
        const update = randomUpdate(r);
        try {
          validateUpdate(update, ctx);
        } catch {
          continue;
        }
        const label = `${bytes.toString('hex')} ${BSON.EJSON.stringify(update)}`;
        expect(topLevelUpdate(update), label).to.not.equal(undefined);
        const want = general(bytes, update);
        expect(patched(bytes, update), label).to.deep.equal(want);
        compared++;
        if (want.bytes) modified++;
      }
    }
    expect(compared).to.be.greaterThan(2000);
    expect(modified).to.be.greaterThan(1000);
  });

  it('adds new fields in name order however the update lists them, as the general path does, short or long', () => {
    for (const count of [12, 40]) {
      const names = Array.from({ length: count }, (_, i) => `f${String(i).padStart(2, '0')}`).reverse();
      const update: Document = { $set: {}, $inc: {}, $min: {} };
      names.forEach((name, i) => (update[['$set', '$inc', '$min'][i % 3]][name] = i));
      const bytes = encodeDoc({ _id: 1, f03: 5, z: 'tail' });
      const want = general(bytes, update);
      expect(want.bytes, String(count)).to.be.a('string');
      expect(patched(bytes, update), String(count)).to.deep.equal(want);
    }
  });

  it('leaves dotted, positional, _id, $rename and pipeline updates to the general path', () => {
    for (const update of [
      { $set: { 'a.b': 1 } },
      { $set: { 'list.$': 1 } },
      { $set: { _id: 1 } },
      { $rename: { a: 'b' } },
      [{ $set: { a: 1 } }],
      { a: 1 },
    ]) {
      expect(topLevelUpdate(update as Document), JSON.stringify(update)).to.equal(undefined);
    }
  });

  it('appends pushed elements after the stored ones without decoding them, keeping every other byte', () => {
    const stored = encodeDoc({ _id: 1, timeline: [{ at: 1 }, { at: 2 }], tail: 'x' });
    const next = patchTopLevel(
      stored,
      topLevelUpdate({ $push: { timeline: { $each: [{ at: 3 }] } }, $inc: { version: 1 } })!,
      { now: NOW, isInsert: false, id: 1 },
    )!;
    expect(BSON.deserialize(next)).to.deep.equal({
      _id: 1,
      timeline: [{ at: 1 }, { at: 2 }, { at: 3 }],
      tail: 'x',
      version: 1,
    });
  });

  it('keeps the indexes of the patched fields in step through the update command', async () => {
    const h = harness();
    await h.run({ createIndexes: 'c', indexes: [{ key: { state: 1, at: 1 }, name: 'state_at' }] });
    await h.run({
      insert: 'c',
      documents: [
        { _id: 1, state: 'open', at: 1, timeline: [], version: 1 },
        { _id: 2, state: 'open', at: 2, timeline: [], version: 1 },
      ],
    });
    const r = await h.run({
      update: 'c',
      updates: [
        {
          q: { _id: 1, version: 1 },
          u: { $set: { state: 'closed' }, $push: { timeline: { $each: [{ e: 1 }] } }, $inc: { version: 1 } },
        },
        { q: { _id: 2, version: 9 }, u: { $set: { state: 'closed' }, $inc: { version: 1 } } },
      ],
    });
    expect(r).to.deep.equal({ n: 1, nModified: 1 });
    const open = await h.find('c', { state: 'open' }, { hint: 'state_at' });
    expect(open.map((d) => d._id)).to.deep.equal([2]);
    const closed = await h.find('c', { state: 'closed' }, { hint: 'state_at' });
    expect(closed).to.deep.equal([{ _id: 1, state: 'closed', at: 1, timeline: [{ e: 1 }], version: 2 }]);
    const unchanged = await h.run({
      update: 'c',
      updates: [{ q: { _id: 2 }, u: { $set: { state: 'open' } } }],
    });
    expect(unchanged).to.deep.equal({ n: 1, nModified: 0 });
    const live = indexContents(h.engine);
    h.engine.catalog.get('test.c')!.rebuildIndexes();
    expect(indexContents(h.engine)).to.deep.equal(live);
  });
});

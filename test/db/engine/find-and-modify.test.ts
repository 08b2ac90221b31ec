import { expect } from 'chai';
import { harness, plain } from './harness.ts';

async function seeded() {
  const h = harness();
  await h.run({
    insert: 'c',
    documents: [
      { _id: 1, q: 'a', n: 1 },
      { _id: 2, q: 'a', n: 2 },
      { _id: 3, q: 'b', n: 3 },
    ],
  });
  return h;
}

describe('engine: findAndModify', () => {
  it('returns the pre-image by default and the post-image with new', async () => {
    const h = await seeded();
    const before = plain(await h.run({ findAndModify: 'c', query: { _id: 1 }, update: { $inc: { n: 10 } } }));
    expect(before).to.deep.equal({
      lastErrorObject: { n: 1, updatedExisting: true },
      value: { _id: 1, q: 'a', n: 1 },
    });
    const after = plain(
      await h.run({ findAndModify: 'c', query: { _id: 1 }, update: { $inc: { n: 10 } }, new: true }),
    );
    expect(after.value).to.deep.equal({ _id: 1, q: 'a', n: 21 });
  });

  it('picks the first document by sort and applies the projection', async () => {
    const h = await seeded();
    const r = plain(
      await h.run({
        findAndModify: 'c',
        query: { q: 'a' },
        sort: { n: -1 },
        update: { $set: { hit: true } },
        fields: { n: 1, _id: 0 },
        new: true,
      }),
    );
    expect(r.value).to.deep.equal({ n: 2 });
    expect((await h.find('c', { hit: true })).map((d) => d._id)).to.deep.equal([2]);
  });

  it('upserts and reports the upserted id', async () => {
    const h = await seeded();
    const r = plain(
      await h.run({
        findAndModify: 'c',
        query: { _id: 9 },
        update: { $set: { n: 0 } },
        upsert: true,
        new: true,
      }),
    );
    expect(r.lastErrorObject).to.deep.equal({ n: 1, updatedExisting: false, upserted: 9 });
    expect(r.value).to.deep.equal({ _id: 9, n: 0 });
    const old = plain(
      await h.run({ findAndModify: 'c', query: { _id: 10 }, update: { $set: { n: 0 } }, upsert: true }),
    );
    expect(old.value).to.equal(null);
  });

  it('removes and returns the removed document', async () => {
    const h = await seeded();
    const r = plain(await h.run({ findAndModify: 'c', query: { q: 'a' }, sort: { n: 1 }, remove: true }));
    expect(r).to.deep.equal({ lastErrorObject: { n: 1 }, value: { _id: 1, q: 'a', n: 1 } });
    expect((await h.find('c')).length).to.equal(2);
    expect(h.persistence.changes.at(-1)).to.deep.include({ op: 'delete', ns: 'test.c' });
  });

  it('no match without upsert returns null and changes nothing', async () => {
    const h = await seeded();
    const commits = h.persistence.commits.length;
    const r = plain(await h.run({ findAndModify: 'c', query: { _id: 99 }, update: { $set: { x: 1 } } }));
    expect(r).to.deep.equal({ lastErrorObject: { n: 0, updatedExisting: false }, value: null });
    expect(h.persistence.commits.length).to.equal(commits);
  });

  it('fails the command on a duplicate key, with keyValue', async () => {
    const h = await seeded();
    await h.run({ createIndexes: 'c', indexes: [{ key: { q: 1, n: 1 }, name: 'q_1_n_1', unique: true }] });
    const e = await h.fail({ findAndModify: 'c', query: { _id: 1 }, update: { $set: { n: 2 } } });
    expect(e.code).to.equal(11000);
    expect(plain(e.extra).keyValue).to.deep.equal({ q: 'a', n: 2 });
  });

  it('rejects update together with remove', async () => {
    const h = await seeded();
    expect(
      (await h.fail({ findAndModify: 'c', query: {}, remove: true, update: { $set: { a: 1 } } })).code,
    ).to.equal(9);
  });
});

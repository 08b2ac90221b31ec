// Splitting a shared read of several enterprises' issues back into each page view's answer: complete lists,
// busy enterprises (more than one read takes), and the ones the shared limit may have cut off.
import { expect } from 'chai';
import { Types } from 'mongoose';
import { splitShared, WHOLE_READ } from '../../../server/routes/public/qr-page.query.ts';

const ids = ['0000000000000000000000a1', '0000000000000000000000b2', '0000000000000000000000c3'].map(
  (hex) => new Types.ObjectId(hex),
);
const rowsOf = (id: Types.ObjectId, n: number) =>
  Array.from({ length: n }, (_, k) => ({
    _id: new Types.ObjectId(),
    enterpriseId: id,
    number: `HZ-2026-${String(k).padStart(6, '0')}`,
    state: 'closed' as const,
    createdAt: new Date(2026, 0, 1 + k),
  }));

describe('QR page: splitting a shared read', () => {
  it('gives each enterprise its own rows, in the order read, and an empty list to one with none', () => {
    const [a, b, c] = ids;
    const rows = [...rowsOf(a, 2), ...rowsOf(c, 3)];
    const [ra, rb, rc] = splitShared([a, b, c], rows, 3 * (WHOLE_READ + 1));
    expect(ra).to.deep.equal(rows.slice(0, 2));
    expect(rb).to.deep.equal([]);
    expect(rc).to.deep.equal(rows.slice(2));
  });

  it('marks an enterprise with more than one read takes as large', () => {
    const [a, b] = ids;
    const rows = [...rowsOf(a, WHOLE_READ + 1), ...rowsOf(b, 1)];
    expect(
      splitShared([a, b], rows, 2 * (WHOLE_READ + 1)).map((w) => (Array.isArray(w) ? w.length : w)),
    ).to.deep.equal(['large', 1]);
  });

  it('when the limit is reached, marks the last enterprise read and every later one as cut, never an earlier one', () => {
    const [a, b, c] = ids;
    const limit = 2 * (WHOLE_READ + 1);
    // a is busy and takes most of the limit; b is read partly; c (after b in index order) not at all.
    const rows = [...rowsOf(a, limit - 2), ...rowsOf(b, 2)];
    expect(splitShared([c, a, b], rows, limit)).to.deep.equal(['cut', 'large', 'cut']);
  });
});

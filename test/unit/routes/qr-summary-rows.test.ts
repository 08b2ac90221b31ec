// The QR summary's rows read from their bytes (summary-rows.ts, with the summary's projection) must be exactly what the general BSON decoder
// returns for every row the summary's projection can produce, and fall back to it for anything else.
import { expect } from 'chai';
import { deserialize, Long, ObjectId, serialize } from 'bson';
import { summaryRowOf } from '../../../server/routes/public/qr-page.query.ts';

const at = (iso: string) => new Date(iso);

const rows: Record<string, object> = {
  'an open issue with its promise': {
    _id: new ObjectId(),
    enterpriseId: new ObjectId(),
    number: 'HZ-2026-000123',
    state: 'in_progress',
    unitName: '湖州市经济和信息化局',
    createdAt: at('2026-02-13T01:02:03.004Z'),
    deadlines: { resolveBy: at('2026-02-27T09:30:00.000Z') },
  },
  'a suspended member of a class problem': {
    _id: new ObjectId(),
    number: 'HZ-2026-000124',
    state: 'suspended',
    unitName: null,
    createdAt: at('1969-12-31T23:59:59.999Z'),
    classProblemId: new ObjectId(),
    deadlines: { resolveBy: null, pausedAt: at('2026-03-01T00:00:00.000Z') },
    rating: null,
  },
  'a bad rating under the check, fields in another order': {
    rating: { verification: 'pending' },
    state: 'awaiting_rating',
    createdAt: at('2099-01-01T00:00:00.000Z'),
    number: '😀 & <b>',
    _id: new ObjectId(),
    deadlines: null,
    classProblemId: null,
  },
  'empty embedded documents and nothing else': { deadlines: {}, rating: {} },
  'an empty row': {},
};

const unread: Record<string, object> = {
  'a field the projection does not name': { number: 'HZ-1', title: '标题' },
  'a number where a string was expected': { number: 42 },
  'a long where a date was expected': { createdAt: Long.fromNumber(5) },
  'an array of deadlines': { deadlines: [at('2026-01-01T00:00:00.000Z')] },
  'another field inside the deadlines': {
    deadlines: { resolveBy: null, signBy: at('2026-01-01T00:00:00.000Z') },
  },
  'a number inside the rating': { rating: { verification: 1 } },
};

describe('QR summary rows read from their bytes', () => {
  for (const [what, row] of Object.entries({ ...rows, ...unread })) {
    it(`reads ${what} as the general decoder does`, () => {
      const bytes = serialize(row);
      const read = summaryRowOf(bytes);
      expect(read).to.deep.equal(deserialize(bytes));
      expect(Object.keys(read)).to.deep.equal(Object.keys(row));
    });
  }

  it('reads a row inside a larger reply from its own bytes (a Buffer view)', () => {
    const row = serialize(rows['an open issue with its promise']);
    const reply = Buffer.concat([Buffer.from([1, 2, 3]), row, Buffer.from([9])]);
    const view = reply.subarray(3, 3 + row.length);
    expect(summaryRowOf(view)).to.deep.equal(deserialize(row));
    expect(summaryRowOf(new Uint8Array(view))).to.deep.equal(deserialize(row));
  });
});

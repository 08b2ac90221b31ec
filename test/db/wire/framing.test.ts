// Message framing: length-prefixed splitting, OP_MSG sections and checksums, OP_QUERY/OP_REPLY, BSON types.
import { expect } from 'chai';
import { BSON, Decimal128, Double, Int32, Long, ObjectId, Timestamp } from 'bson';
import { crc32c } from '../../../server/db/embedded/wire/crc32c.ts';
import { MessageSplitter } from '../../../server/db/embedded/wire/message-splitter.ts';
import { decodeOpMsg, encodeOpMsg } from '../../../server/db/embedded/wire/op-msg.ts';
import { decodeOpQuery, encodeOpReply } from '../../../server/db/embedded/wire/op-query.ts';
import { decodeDocument, asNumber } from '../../../server/db/embedded/wire/bson-codec.ts';
import { MsgFlags } from '../../../server/db/embedded/wire/constants.ts';
import { ProtocolError } from '../../../server/db/embedded/wire/protocol-error.ts';
import type { RawDoc } from '../../../server/db/embedded/raw-doc.ts';
import { buildOpMsg, buildOpQuery, parseReply } from './raw-client.ts';

describe('wire framing', () => {
  describe('crc32c', () => {
    it('matches the Castagnoli check value', () => {
      expect(crc32c(Buffer.from('123456789'))).to.equal(0xe3069283);
      expect(crc32c(Buffer.alloc(0))).to.equal(0);
    });
  });

  describe('MessageSplitter', () => {
    const a = buildOpMsg(1, { ping: 1, $db: 'admin' });
    const b = buildOpMsg(2, { hello: 1, $db: 'admin' });

    it('reassembles messages split at every byte boundary', () => {
      const both = Buffer.concat([a, b]);
      for (let cut = 1; cut < both.length; cut++) {
        const s = new MessageSplitter();
        const out = [...s.push(both.subarray(0, cut)), ...s.push(both.subarray(cut))];
        expect(out.map((m) => m.readInt32LE(4))).to.deep.equal([1, 2]);
        expect(s.pendingBytes).to.equal(0);
      }
    });

    it('waits for the rest of a partial message', () => {
      const s = new MessageSplitter();
      expect(s.push(a.subarray(0, 10))).to.deep.equal([]);
      expect(s.pendingBytes).to.equal(10);
    });

    it('refuses a length above the maximum before buffering it', () => {
      const s = new MessageSplitter(1000);
      const header = Buffer.alloc(16);
      header.writeInt32LE(1001, 0);
      expect(() => s.push(header)).to.throw(ProtocolError, /outside the allowed range/);
    });

    it('refuses a length shorter than a header', () => {
      const header = Buffer.alloc(16);
      header.writeInt32LE(8, 0);
      expect(() => new MessageSplitter().push(header)).to.throw(ProtocolError);
    });
  });

  describe('OP_MSG', () => {
    it('decodes the body and folds kind-1 sequences in as arrays', () => {
      const msg = buildOpMsg(
        7,
        { insert: 'c', $db: 'test' },
        { sequences: { documents: [{ a: 1 }, { a: 2 }] } },
      );
      const req = decodeOpMsg(msg);
      expect(req.requestId).to.equal(7);
      // An insert's documents stay BSON, to be stored as they came.
      const { documents, ...rest } = req.command;
      expect(rest).to.deep.equal({ insert: 'c', $db: 'test' });
      expect(documents.map((d: RawDoc) => BSON.deserialize(d.bytes))).to.deep.equal([{ a: 1 }, { a: 2 }]);
      expect(Object.keys(req.command)[0]).to.equal('insert');
    });

    it('refuses an insert document that is not valid BSON, as a decode would', () => {
      const good = Buffer.from(BSON.serialize({ s: 'ok' }));
      const badUtf8 = Buffer.from(good);
      badUtf8[badUtf8.length - 3] = 0xff; // inside the string "ok"
      const badLength = Buffer.from(good);
      badLength.writeInt32LE(good.length + 1, 0);
      for (const bad of [badUtf8, badLength]) {
        const msg = buildOpMsg(1, { insert: 'c', $db: 'test' }, { sequences: { documents: [bad] } });
        expect(() => decodeOpMsg(msg)).to.throw(ProtocolError, /invalid BSON|out of bounds/);
      }
    });

    it('checks every byte of an insert string for UTF-8, after an ASCII start as well', () => {
      const docOf = (...strings: Buffer[]): Buffer => {
        const elements = strings.map((b, i) => {
          const len = Buffer.alloc(4);
          len.writeInt32LE(b.length + 1);
          return Buffer.concat([Buffer.from([0x02]), Buffer.from(`s${i}\0`), len, b, Buffer.from([0])]);
        });
        const body = Buffer.concat(elements);
        const head = Buffer.alloc(4);
        head.writeInt32LE(body.length + 5);
        return Buffer.concat([head, body, Buffer.from([0])]);
      };
      const decode = (doc: Buffer) =>
        decodeOpMsg(buildOpMsg(1, { insert: 'c', $db: 'test' }, { sequences: { documents: [doc] } }));
      const ascii = Buffer.from('x'.repeat(100));
      const valid = [
        Buffer.from('HZ-2026-000001'),
        Buffer.from('ab涉企问题'),
        Buffer.concat([ascii, Buffer.from('问')]),
      ];
      const [doc] = decode(docOf(...valid)).command.documents as RawDoc[];
      expect(BSON.deserialize(doc.bytes)).to.deep.equal({
        s0: 'HZ-2026-000001',
        s1: 'ab涉企问题',
        s2: `${'x'.repeat(100)}问`,
      });
      const invalid = [
        Buffer.from([0x61, 0x62, 0x80]), // a continuation byte after ASCII
        Buffer.from([0x61, 0xc0, 0xaf]), // an overlong '/'
        Buffer.from([0x61, 0xe6, 0xb6]), // a character cut short
        Buffer.from([0x61, 0xed, 0xa0, 0x80]), // a surrogate
        Buffer.concat([ascii, Buffer.from([0xff])]), // past the bytes checked in JavaScript
        Buffer.concat([Buffer.from('x'.repeat(63)), Buffer.from([0xe9, 0x97])]), // cut across that line
      ];
      for (const bad of invalid) {
        expect(() => decode(docOf(Buffer.from('ok'), bad)), bad.toString('hex')).to.throw(
          ProtocolError,
          /not valid UTF-8/,
        );
      }
    });

    it('accepts several sequences, including an empty one', () => {
      const msg = buildOpMsg(
        1,
        { update: 'c', $db: 't' },
        { sequences: { updates: [{ q: {} }], extra: [] } },
      );
      expect(decodeOpMsg(msg).command).to.deep.equal({
        update: 'c',
        $db: 't',
        updates: [{ q: {} }],
        extra: [],
      });
    });

    it('refuses a sequence that collides with a body field', () => {
      const msg = buildOpMsg(
        1,
        { insert: 'c', documents: [], $db: 't' },
        { sequences: { documents: [{ a: 1 }] } },
      );
      expect(() => decodeOpMsg(msg)).to.throw(ProtocolError, /duplicates a body field/);
    });

    it('verifies a correct checksum', () => {
      const req = decodeOpMsg(buildOpMsg(3, { ping: 1, $db: 'admin' }, { checksum: true }));
      expect(req.command).to.deep.equal({ ping: 1, $db: 'admin' });
    });

    it('rejects a corrupted message whose checksum no longer matches', () => {
      const msg = buildOpMsg(3, { ping: 1, $db: 'admin' }, { checksum: true });
      msg[msg.length - 8] ^= 0xff; // inside the body, before the checksum
      expect(() => decodeOpMsg(msg)).to.throw(ProtocolError, /checksum mismatch/);
    });

    it('reports moreToCome and exhaustAllowed', () => {
      const req = decodeOpMsg(
        buildOpMsg(1, { ping: 1, $db: 'a' }, { flags: MsgFlags.moreToCome | MsgFlags.exhaustAllowed }),
      );
      expect(req.moreToCome).to.equal(true);
      expect(req.exhaustAllowed).to.equal(true);
    });

    it('refuses unknown required flag bits but ignores unknown optional ones', () => {
      expect(() => decodeOpMsg(buildOpMsg(1, { ping: 1, $db: 'a' }, { flags: 1 << 4 }))).to.throw(
        /required flag/,
      );
      expect(decodeOpMsg(buildOpMsg(1, { ping: 1, $db: 'a' }, { flags: 1 << 20 })).command.ping).to.equal(1);
    });

    it('refuses a message with no body, two bodies or an unknown section kind', () => {
      const msg = buildOpMsg(1, { ping: 1, $db: 'a' });
      const twoBodies = Buffer.concat([msg, Buffer.from([0]), msg.subarray(21)]);
      twoBodies.writeInt32LE(twoBodies.length, 0);
      expect(() => decodeOpMsg(twoBodies)).to.throw(/more than one body/);
      const withSeq = buildOpMsg(1, { ping: 1, $db: 'a' }, { sequences: { documents: [{ a: 1 }] } });
      const bodyLength = 1 + msg.length - 21;
      const onlySeq = Buffer.concat([withSeq.subarray(0, 20), withSeq.subarray(20 + bodyLength)]);
      onlySeq.writeInt32LE(onlySeq.length, 0);
      expect(() => decodeOpMsg(onlySeq)).to.throw(/no body section/);
      const unknownKind = Buffer.concat([msg, Buffer.from([2])]);
      unknownKind.writeInt32LE(unknownKind.length, 0);
      expect(() => decodeOpMsg(unknownKind)).to.throw(/unknown OP_MSG section kind 2/);
    });

    it('encodes a reply that answers the request id', () => {
      const reply = parseReply(encodeOpMsg(99, 42, { ok: 1, n: new Long(5) }));
      expect(reply.responseTo).to.equal(42);
      expect(reply.flags).to.equal(0);
      expect(reply.body).to.deep.equal({ ok: 1, n: 5 });
    });
  });

  describe('OP_QUERY / OP_REPLY', () => {
    it('decodes a handshake query and unwraps $query', () => {
      const q = decodeOpQuery(
        buildOpQuery(5, 'admin.$cmd', { $query: { isMaster: 1 }, $readPreference: {} }),
      );
      expect(q).to.deep.equal({ requestId: 5, fullCollectionName: 'admin.$cmd', query: { isMaster: 1 } });
    });

    it('encodes an OP_REPLY with one document', () => {
      const reply = parseReply(encodeOpReply(1, 5, [{ ismaster: true, ok: 1 }]));
      expect(reply.responseTo).to.equal(5);
      expect(reply.body).to.deep.equal({ ismaster: true, ok: 1 });
    });
  });

  describe('BSON representation at the boundary', () => {
    it('keeps every numeric type distinguishable so replies re-encode identically', () => {
      const original = {
        i: new Int32(5),
        d: new Double(5),
        f: 5.5,
        big: 1e20,
        negZero: new Double(-0),
        l: Long.fromNumber(5),
        dec: Decimal128.fromString('1.10'),
        ts: new Timestamp({ t: 1, i: 2 }),
        oid: new ObjectId(),
        re: /a.b/i,
        nil: null,
        nested: [{ x: new Double(2) }],
      };
      const bytes = BSON.serialize(original);
      const decoded = decodeDocument(bytes);
      expect(decoded.i).to.equal(5);
      expect(decoded.d).to.be.instanceOf(Double);
      expect(decoded.f).to.equal(5.5);
      expect(decoded.l).to.be.instanceOf(Long);
      expect(decoded.nested[0].x).to.be.instanceOf(Double);
      expect(Buffer.from(BSON.serialize(decoded)).equals(Buffer.from(bytes))).to.equal(true);
    });

    it('reports malformed BSON as a protocol error (FailedToParse)', () => {
      const bytes = Buffer.from(BSON.serialize({ a: 'text' }));
      bytes[4] = 0x42; // an element type that does not exist
      expect(() => decodeDocument(bytes))
        .to.throw(ProtocolError, /invalid BSON/)
        .with.property('code', 9);
    });

    it('reads numeric arguments of any BSON number type', () => {
      expect(asNumber(new Double(3))).to.equal(3);
      expect(asNumber(Long.fromNumber(7))).to.equal(7);
      expect(asNumber(4)).to.equal(4);
      expect(asNumber('4')).to.equal(undefined);
    });
  });
});

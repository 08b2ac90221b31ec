/**
 * A pure test harness for the data commands: an engine, a recording persistence stub and a cursor manager
 * stub that drains iterators the way wire/ does (first batch of 101 unless told otherwise, getMore by id).
 */
import { deserialize, Long, type Document } from 'bson';
import type {
  Change,
  CommandContext,
  CursorManager,
  Persistence,
} from '../../../server/db/embedded/contract.ts';
import { dataCommands } from '../../../server/db/embedded/commands/data/index.ts';
import { createEngine, type Engine } from '../../../server/db/embedded/engine/index.ts';
import { MongoError } from '../../../server/db/embedded/errors.ts';
import { decodeDoc } from '../../../server/db/embedded/engine/bson-raw.ts';
import { RawDoc } from '../../../server/db/embedded/raw-doc.ts';
import { encodeDocument } from '../../../server/db/embedded/wire/bson-codec.ts';
import {
  decodePayload,
  encodeRecord,
  forEachChange,
  HEADER_BYTES,
} from '../../../server/db/embedded/storage/record-format.ts';

/**
 * Hands `entry` on as recovery reads it back: through the journal's record format, a block of inserted
 * copies as one insert each.
 */
export function viaJournal(entry: Document, apply: (change: Change) => void): void {
  forEachChange(decodePayload(encodeRecord(1, entry).subarray(HEADER_BYTES)), apply);
}

export class StubCursors implements CursorManager {
  private next = 1;
  readonly open_ = new Map<number, { ns: string; it: Iterator<Document | RawDoc> }>();

  open(
    ns: string,
    docs: Iterator<Document | RawDoc>,
    options: { batchSize?: number; singleBatch?: boolean },
  ) {
    const firstBatch = this.take(docs, options.batchSize ?? 101);
    const exhausted = firstBatch.length < (options.batchSize ?? 101) || options.singleBatch;
    if (exhausted) return { id: Long.fromNumber(0), ns, firstBatch };
    const id = this.next++;
    this.open_.set(id, { ns, it: docs });
    return { id: Long.fromNumber(id), ns, firstBatch };
  }

  /** Stored documents come as BSON (RawDoc) that the wire layer copies into replies: decode them as stored. */
  take(it: Iterator<Document | RawDoc>, n: number): Document[] {
    const out: Document[] = [];
    while (n === 0 || out.length < n) {
      const r = it.next();
      if (r.done) break;
      out.push(r.value instanceof RawDoc ? decodeDoc(r.value.bytes) : r.value);
    }
    return out;
  }

  getMore(id: number, batchSize = 0): Document[] {
    const c = this.open_.get(id);
    if (!c) throw new Error('cursor not found');
    return this.take(c.it, batchSize);
  }
}

export class RecordingPersistence implements Persistence {
  readonly commits: Change[][] = [];
  async recover(): Promise<void> {}
  async commit(changes: Change[]): Promise<void> {
    this.commits.push(changes);
  }
  async checkpoint(): Promise<void> {}
  wantsCheckpoint(): boolean {
    return false;
  }
  async close(): Promise<void> {}
  get changes(): Change[] {
    return this.commits.flat();
  }
}

export interface Harness {
  engine: Engine;
  persistence: RecordingPersistence;
  cursors: StubCursors;
  now: Date;
  /** Runs a command and returns its reply (throws MongoError on failure). */
  run(cmd: Document, db?: string): Promise<Document>;
  /** Runs a command expected to fail and returns the MongoError. */
  fail(cmd: Document, db?: string): Promise<MongoError>;
  /** Runs a find, drains the whole cursor and returns documents as the driver would (plain JS numbers). */
  find(coll: string, filter?: Document, extra?: Document): Promise<Document[]>;
  /** Like `find`, but returns the stored representation (bson wrappers), to check type fidelity. */
  findRaw(coll: string, filter?: Document, extra?: Document): Promise<Document[]>;
  aggregate(coll: string, pipeline: Document[]): Promise<Document[]>;
}

/**
 * What a driver with default options would see: the document encoded as the wire layer encodes replies
 * (RawDoc images copied in as BSON) and decoded with promoted values.
 */
export function plain(doc: Document): Document {
  return deserialize(encodeDocument(doc));
}

export function harness(): Harness {
  const engine = createEngine();
  const commands = dataCommands(engine);
  const persistence = new RecordingPersistence();
  const cursors = new StubCursors();
  const h: Harness = {
    engine,
    persistence,
    cursors,
    now: new Date('2026-01-01T00:00:00Z'),
    async run(cmd, db = 'test') {
      const name = Object.keys(cmd)[0].toLowerCase();
      const handler = commands[name];
      if (!handler) throw new Error(`no handler for ${name}`);
      const ctx: CommandContext = { db, connectionId: 1, persistence, cursors, now: () => h.now };
      return await handler(cmd, ctx);
    },
    async fail(cmd, db) {
      try {
        await h.run(cmd, db);
      } catch (e) {
        if (e instanceof MongoError) return e;
        throw e;
      }
      throw new Error(`expected ${JSON.stringify(cmd)} to fail`);
    },
    async find(coll, filter = {}, extra = {}) {
      return (await h.findRaw(coll, filter, extra)).map(plain);
    },
    async findRaw(coll, filter = {}, extra = {}) {
      return drain(await h.run({ find: coll, filter, ...extra }));
    },
    async aggregate(coll, pipeline) {
      return drain(await h.run({ aggregate: coll, pipeline, cursor: {} })).map(plain);
    },
  };
  const drain = (reply: Document): Document[] => {
    const docs = [...reply.cursor.firstBatch];
    const id = Number(reply.cursor.id);
    if (id !== 0) docs.push(...cursors.getMore(id));
    return docs;
  };
  return h;
}

/** Every index of every collection: its multikey flags and its entries in tree order. */
export function indexContents(engine: Engine): Document {
  const out: Document = {};
  for (const coll of engine.catalog.all()) {
    for (const ix of coll.indexes.values()) {
      out[`${coll.ns}/${ix.name}`] = {
        multikey: ix.multikey,
        multikeyFields: [...ix.multikeyFields],
        size: ix.entries.size,
        keys: ix.entries.keysArray(),
      };
    }
  }
  return out;
}

/**
 * The catalog: which databases and collections exist. Namespaces are "db.collection"; a database exists
 * while it holds at least one collection, as in MongoDB.
 */
import type { Document } from 'bson';
import { ErrorCodes, MongoError, notSupported } from '../errors.ts';
import { Collection } from './collection.ts';
import { MAX_SLAB_BYTES } from './doc-store.ts';
import { PackDicts } from './doc-pack.ts';
import { SlabReserve } from './slab-reserve.ts';
import { isPlainObject } from './values.ts';

export function splitNs(ns: string): { db: string; coll: string } {
  const dot = ns.indexOf('.');
  if (dot <= 0 || dot === ns.length - 1)
    throw new MongoError(ErrorCodes.InvalidNamespace, `Invalid namespace: ${ns}`);
  return { db: ns.slice(0, dot), coll: ns.slice(dot + 1) };
}

export function validateCollectionName(db: string, coll: unknown): string {
  if (typeof coll !== 'string' || coll.length === 0 || coll.includes('$') || coll.includes('\0')) {
    throw new MongoError(ErrorCodes.InvalidNamespace, `Invalid collection name: ${String(coll)}`);
  }
  if (db.length === 0 || /[/\\. "$\0]/.test(db))
    throw new MongoError(ErrorCodes.InvalidNamespace, `Invalid database name: ${db}`);
  return `${db}.${coll}`;
}

const UNSUPPORTED_OPTIONS = [
  'capped',
  'validator',
  'timeseries',
  'clusteredIndex',
  'viewOn',
  'pipeline',
  'changeStreamPreAndPostImages',
  'encryptedFields',
];

/** Rejects collection options whose behaviour is not implemented; returns the options worth keeping. */
export function checkCollectionOptions(cmd: Document): Document {
  const options: Document = {};
  for (const opt of UNSUPPORTED_OPTIONS) {
    if (cmd[opt] !== undefined && cmd[opt] !== false) throw notSupported(`The collection option "${opt}"`);
  }
  if (cmd.collation !== undefined) {
    if (!isPlainObject(cmd.collation) || cmd.collation.locale !== 'simple')
      throw notSupported('Non-simple collation');
  }
  return options;
}

export class Catalog {
  private readonly dbs = new Map<string, Map<string, Collection>>();
  /** Full-size document slabs faulted in on another thread while recovery fills the stores. */
  readonly slabs = new SlabReserve(MAX_SLAB_BYTES);
  /** The documents' packing dictionaries (engine/doc-pack.ts), shared by every collection's store. */
  readonly dicts = new PackDicts();

  get(ns: string): Collection | undefined {
    const { db, coll } = splitNs(ns);
    return this.dbs.get(db)?.get(coll);
  }

  has(ns: string): boolean {
    return this.get(ns) !== undefined;
  }

  /** Creates the collection; throws NamespaceExists (48) when it is already there. */
  create(ns: string, options: Document = {}): Collection {
    const { db, coll } = splitNs(ns);
    if (this.has(ns)) throw new MongoError(ErrorCodes.NamespaceExists, `Collection ${ns} already exists.`);
    let colls = this.dbs.get(db);
    if (!colls) this.dbs.set(db, (colls = new Map()));
    const c = new Collection(ns, options, this.slabs, this.dicts);
    colls.set(coll, c);
    return c;
  }

  drop(ns: string): boolean {
    const { db, coll } = splitNs(ns);
    const colls = this.dbs.get(db);
    const c = colls?.get(coll);
    if (!c || !colls) return false;
    c.dropped = true;
    colls.delete(coll);
    if (colls.size === 0) this.dbs.delete(db);
    return true;
  }

  dropDatabase(db: string): void {
    for (const c of this.dbs.get(db)?.values() ?? []) c.dropped = true;
    this.dbs.delete(db);
  }

  rename(from: string, to: string, dropTarget: boolean): void {
    const src = this.get(from);
    if (!src) throw new MongoError(ErrorCodes.NamespaceNotFound, `Source collection ${from} does not exist`);
    if (this.has(to)) {
      if (!dropTarget) throw new MongoError(ErrorCodes.NamespaceExists, `target namespace exists`);
      this.drop(to);
    }
    const moved = src.rename(to);
    this.drop(from);
    const { db, coll } = splitNs(to);
    let colls = this.dbs.get(db);
    if (!colls) this.dbs.set(db, (colls = new Map()));
    colls.set(coll, moved);
  }

  databases(): string[] {
    return [...this.dbs.keys()];
  }

  collections(db: string): Collection[] {
    return [...(this.dbs.get(db)?.values() ?? [])];
  }

  all(): Collection[] {
    return [...this.dbs.values()].flatMap((m) => [...m.values()]);
  }
}

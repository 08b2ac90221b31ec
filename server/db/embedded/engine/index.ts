/**
 * The in-memory engine: the catalog plus what storage/ and wire/ need from it (contract.ts EngineHandle):
 * replaying recovered changes, dumping the state for a snapshot, and sweeping TTL indexes.
 */
import type { Document } from 'bson';
import type { Change, EngineHandle } from '../contract.ts';
import { Catalog } from './catalog.ts';
import { ID_INDEX } from './collection.ts';
import type { IndexSpec } from './index-keys.ts';
import { leafValues } from './paths.ts';
import { execute, newStats } from './scan.ts';
import { BracketBound, canonicalDoc, TypeOrder } from './values.ts';

export class Engine implements EngineHandle {
  readonly catalog = new Catalog();

  applyRecovered(change: Change): void {
    const c = this.catalog;
    switch (change.op) {
      case 'insert':
      case 'replace':
        // Recovered documents come through the wire codec (plain JS numbers): make them canonical again.
        (c.get(change.ns) ?? c.create(change.ns)).put(canonicalDoc(change.doc));
        return;
      case 'delete':
        c.get(change.ns)?.remove(change.id);
        return;
      case 'createCollection':
        if (!c.has(change.ns)) c.create(change.ns, change.options);
        return;
      case 'dropCollection':
        c.drop(change.ns);
        return;
      case 'dropDatabase':
        c.dropDatabase(change.db);
        return;
      case 'renameCollection':
        if (c.has(change.from)) c.rename(change.from, change.to, true);
        return;
      case 'createIndex': {
        const coll = c.get(change.ns) ?? c.create(change.ns);
        const existing = coll.indexes.get(String(change.spec.name));
        if (existing && !existing.sameDefinition(change.spec as IndexSpec))
          coll.indexes.delete(existing.name);
        coll.createIndex(canonicalDoc(change.spec) as IndexSpec, false);
        return;
      }
      case 'dropIndex':
        c.get(change.ns)?.indexes.delete(change.name);
        return;
    }
  }

  finishRecovery(): void {
    // Index entries were maintained incrementally during replay; nothing to rebuild.
  }

  *dump(): Iterable<Change> {
    for (const coll of this.catalog.all()) {
      yield { op: 'createCollection', ns: coll.ns, options: coll.options };
      for (const ix of coll.indexes.values())
        if (ix.name !== ID_INDEX) yield { op: 'createIndex', ns: coll.ns, spec: ix.spec };
      for (const doc of coll.docs.values()) yield { op: 'insert', ns: coll.ns, doc };
    }
  }

  sweepExpired(now: Date): Change[] {
    const changes: Change[] = [];
    for (const coll of this.catalog.all()) {
      for (const ix of coll.indexes.values()) {
        const secs = ix.spec.expireAfterSeconds;
        if (secs === undefined || ix.fields.length !== 1) continue;
        const cutoff = new Date(now.getTime() - Number(secs) * 1000);
        const expired = (doc: Document) =>
          leafValues(doc, ix.fields[0].path)
            .flatMap((v) => (Array.isArray(v) ? v : [v]))
            .some((v) => v instanceof Date && v.getTime() <= cutoff.getTime());
        const bounds = [[{ lo: new BracketBound(TypeOrder.Date, false), hi: cutoff }]];
        const it = execute(
          coll,
          { kind: 'ixscan', index: ix, bounds, reverse: false, providesSort: false },
          expired,
          newStats(),
        );
        const victims: Document[] = [];
        for (let r = it.next(); !r.done; r = it.next()) victims.push(r.value);
        for (const doc of victims) {
          if (coll.remove(doc._id)) changes.push({ op: 'delete', ns: coll.ns, id: doc._id });
        }
      }
    }
    return changes;
  }
}

export function createEngine(): Engine {
  return new Engine();
}

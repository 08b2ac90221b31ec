/**
 * The in-memory engine: the catalog plus what storage/ and wire/ need from it (contract.ts EngineHandle):
 * replaying recovered changes, dumping the state for a snapshot, and sweeping TTL indexes.
 */
import type { Document } from 'bson';
import type { Change, EngineHandle, RecoveredEntry, SnapshotEntry } from '../contract.ts';
import { FieldSet, readId, topLevelOf } from './bson-raw.ts';
import { Catalog } from './catalog.ts';
import { leafValues } from './paths.ts';
import {
  applyRecoveredChange,
  dumpChanges,
  dumpIndexKeys,
  LoadedIndexes,
  restoreIndexes,
  type IndexRestoreStats,
} from './recovery.ts';
import { execute, newStats } from './scan.ts';
import { withoutPauses } from './pause.ts';
import { BracketBound, TypeOrder } from './values.ts';

export class Engine implements EngineHandle {
  readonly catalog = new Catalog();
  /** How the last recovery filled the indexes (for tests, benchmarks and the start-up log). */
  indexRestore: IndexRestoreStats = { loaded: 0, rebuilt: 0 };
  private loaded = new LoadedIndexes();

  /**
   * Replay fills only the primary store and keeps a snapshot's saved index entries aside
   * (engine/recovery.ts); finishRecovery then loads or builds every index.
   */
  applyRecovered(entry: RecoveredEntry): void {
    this.catalog.slabs.begin();
    applyRecoveredChange(this.catalog, entry, this.loaded);
  }

  finishRecovery(): void {
    this.catalog.slabs.end();
    // A replay makes no dictionary (doc-store.ts `restore`): a store that came back without one makes it now.
    for (const coll of this.catalog.all()) coll.docs.trainIfDue();
    this.indexRestore = restoreIndexes(this.catalog, this.loaded);
    this.loaded = new LoadedIndexes();
  }

  /** A fuzzy checkpoint of the documents present when iteration starts (engine/recovery.ts). */
  dump(): Iterable<Change> {
    return dumpChanges(this.catalog);
  }

  /** The documents as stored (packed or not), then every index's entries (the snapshot's index section). */
  *snapshot(): Iterable<SnapshotEntry> {
    yield* dumpChanges(this.catalog, true);
    yield* dumpIndexKeys(this.catalog);
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
          new FieldSet(topLevelOf([ix.fields[0].path])),
        );
        const victims: string[] = [];
        for (const hit of withoutPauses(it)) victims.push(hit.key);
        for (const key of victims) {
          const gone = coll.remove(key);
          if (gone) changes.push({ op: 'delete', ns: coll.ns, id: readId(gone) });
        }
      }
    }
    return changes;
  }
}

export function createEngine(): Engine {
  return new Engine();
}

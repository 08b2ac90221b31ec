/**
 * The real engine recovered from a dbpath with disk persistence, the way the server starts one, plus a way to
 * run data commands on it: for storage tests that need real documents and indexes rather than `FakeEngine`.
 */
import type { Document } from 'bson';
import { dataCommands } from '../../../server/db/embedded/commands/data/index.ts';
import type { CommandContext } from '../../../server/db/embedded/contract.ts';
import { createEngine, type Engine } from '../../../server/db/embedded/engine/index.ts';
import {
  createDiskPersistence,
  type DiskPersistence,
  type StorageLogger,
} from '../../../server/db/embedded/storage/index.ts';
import { StubCursors } from '../engine/harness.ts';

export interface Open {
  engine: Engine;
  storage: DiskPersistence;
  /** What the storage logged as warnings during recovery (and after). */
  warnings: string[];
  run(cmd: Document): Promise<Document>;
}

export async function openDb(dir: string): Promise<Open> {
  const warnings: string[] = [];
  const logger: StorageLogger = { info: () => undefined, warn: (m) => warnings.push(m) };
  const engine = createEngine();
  const storage = await createDiskPersistence(dir, { logger });
  await storage.recover((entry) => engine.applyRecovered(entry));
  engine.finishRecovery();
  const commands = dataCommands(engine);
  const ctx: CommandContext = {
    db: 'app',
    connectionId: 1,
    persistence: storage,
    cursors: new StubCursors(),
    now: () => new Date('2026-01-01T00:00:00Z'),
  };
  const run = async (cmd: Document) => commands[Object.keys(cmd)[0].toLowerCase()](cmd, ctx);
  return { engine, storage, warnings, run };
}

/**
 * Durability for the embedded server: the public face of storage/. The server picks memory persistence
 * without a dbpath and disk persistence (journal + snapshots, see files.ts for the layout) with one.
 */
export { createMemoryPersistence } from './memory-persistence.ts';
export {
  createDiskPersistence,
  type DiskPersistence,
  type DiskPersistenceOptions,
  type StorageStats,
} from './disk-persistence.ts';
export type { StorageLogger } from './recovery.ts';
export type { JournalHandle, OpenJournalFile } from './journal-writer.ts';

/**
 * Persistence for servers started without a dbpath (tests, demos): nothing is kept, every commit is "durable"
 * at once, and there is never anything to recover or checkpoint.
 */
import type { Persistence } from '../contract.ts';

export function createMemoryPersistence(): Persistence {
  return {
    recover: async () => undefined,
    commit: () => Promise.resolve(),
    checkpoint: async () => undefined,
    wantsCheckpoint: () => false,
    close: async () => undefined,
  };
}

/**
 * Test doubles for the parts the wire layer is composed with: a recording engine, a controllable persistence,
 * and two tiny data handlers (`record` appends to a list, `numbers` opens a cursor over 0..n-1), enough to
 * exercise dispatch, moreToCome, cursors and the server lifecycle without the real engine.
 */
import { serialize, type Document } from 'bson';
import type {
  Change,
  CommandHandler,
  EngineHandle,
  Persistence,
} from '../../../server/db/embedded/contract.ts';
import type { ServerParts } from '../../../server/db/embedded/server.ts';

export interface FakeParts extends ServerParts {
  events: string[];
  recorded: Document[];
  committed: Change[][];
  /** Changes the next sweepExpired call returns. */
  expiring: Change[];
  failNextCommit: Error | undefined;
  wantCheckpoint: boolean;
  /** When set, commits wait for it (a slow disk). */
  commitGate: Promise<void> | undefined;
  /** When set, checkpoints wait for it (to prove replies do not wait for checkpoints). */
  checkpointGate: Promise<void> | undefined;
}

export function fakeParts(): FakeParts {
  const parts = {} as FakeParts;
  parts.events = [];
  parts.recorded = [];
  parts.committed = [];
  parts.expiring = [];
  parts.failNextCommit = undefined;
  parts.wantCheckpoint = false;
  parts.checkpointGate = undefined;
  parts.commitGate = undefined;
  parts.storageEngine = 'inMemory';

  const engine: EngineHandle = {
    applyRecovered: (change) => parts.events.push(`apply:${change.op}`),
    finishRecovery: () => parts.events.push('finishRecovery'),
    dump: () => {
      parts.events.push('dump');
      return [];
    },
    // A checkpoint writes the documents and then the index section; this engine has neither.
    snapshot: () => engine.dump(),
    sweepExpired: (now) => {
      parts.events.push(`sweep:${now.toISOString()}`);
      const out = parts.expiring;
      parts.expiring = [];
      return out;
    },
  };
  const persistence: Persistence = {
    recover: async (apply) => {
      parts.events.push('recover');
      apply({ op: 'createCollection', ns: 'test.c', options: {} });
    },
    commit: async (changes) => {
      const failure = parts.failNextCommit;
      parts.failNextCommit = undefined;
      if (failure) throw failure;
      parts.events.push('commit:start');
      await parts.commitGate;
      parts.committed.push(changes);
      parts.events.push('commit:done');
    },
    checkpoint: async (dump) => {
      parts.events.push('checkpoint');
      await parts.checkpointGate;
      parts.events.push(`dumped:${[...dump()].length}`);
      parts.wantCheckpoint = false;
    },
    wantsCheckpoint: () => parts.wantCheckpoint,
    close: async () => {
      parts.events.push('close');
    },
  };
  const record: CommandHandler = async (cmd, ctx) => {
    parts.recorded.push(cmd);
    await ctx.persistence.commit([
      { op: 'insert', ns: `${ctx.db}.r`, doc: serialize({ n: parts.recorded.length }) },
    ]);
    return { n: 1 };
  };
  const numbers: CommandHandler = (cmd, ctx) => {
    const count = Number(cmd.numbers);
    function* gen(): Iterator<Document> {
      for (let i = 0; i < count; i++) yield { i };
    }
    const cursor = ctx.cursors.open(`${ctx.db}.numbers`, gen(), {
      batchSize: cmd.batchSize as number | undefined,
      connectionId: ctx.connectionId,
    });
    return { cursor };
  };
  const boom: CommandHandler = () => {
    throw new Error('kaboom');
  };
  Object.assign(parts, { engine, persistence, dataHandlers: { record, numbers, boom } });
  return parts;
}

// The benchmarks' command counting (bench/lib/app/db-commands.ts): read from the embedded server's
// serverStatus over the app's socket, a load's commands per request leave out the counter's own and name each
// command the app sent.
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { commandCounter, describeCommands, perRequest } from '../../../bench/lib/app/db-commands.ts';
import { EMBEDDED_SOCKET_FILE } from '../../../server/db/connect.ts';
import { startEmbeddedThread } from '../../../server/db/embedded/thread.ts';

describe('bench: database commands per request', function () {
  this.timeout(60_000);

  it('counts what the app sent between two readings, per request, without the counter’s own', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'eil-count-'));
    const thread = await startEmbeddedThread(
      { dbpath: path.join(dir, 'db'), socketPath: path.join(dir, EMBEDDED_SOCKET_FILE), logLevel: 'silent' },
      () => undefined,
    );
    const app = new MongoClient(thread.uri);
    const counter = commandCounter(dir);
    try {
      const items = (await app.connect()).db('t').collection('items');
      const before = await counter.counts();
      for (let i = 0; i < 4; i++) {
        await items.insertOne({ i });
        await items.findOne({ i });
      }
      await items.updateMany({}, { $set: { seen: true } });
      const per = perRequest(before, await counter.counts(), 4);
      expect(per).to.deep.equal({ insert: 1, find: 1, update: 0.25 });
      // Most frequent first; ties in the server's (alphabetical) order.
      expect(describeCommands(per)).to.equal('2.25 (find 1.00, insert 1.00, update 0.25)');
    } finally {
      await counter.close();
      await app.close();
      await thread.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

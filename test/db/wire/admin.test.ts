// Admin command handlers called directly: argument validation and the shapes drivers and shells read.
import { expect } from 'chai';
import type { Document } from 'bson';
import { adminCommands } from '../../../server/db/embedded/commands/admin.ts';
import type { CommandContext } from '../../../server/db/embedded/contract.ts';
import { CursorRegistry } from '../../../server/db/embedded/cursors.ts';
import { MongoError } from '../../../server/db/embedded/errors.ts';
import { ConnectionDirectory } from '../../../server/db/embedded/wire/connection-directory.ts';

describe('admin commands', () => {
  const now = new Date('2026-04-01T00:00:00Z');
  const cursors = new CursorRegistry({ now: () => now });
  const connections = new ConnectionDirectory();
  const conn = connections.add('127.0.0.1:5000', now);
  const admin = adminCommands({
    cursors,
    connections,
    startedAt: new Date(now.getTime() - 90_000),
    commandNames: () => ['find', 'hello'],
    storageEngine: 'inMemory',
    commandCounts: () => ({ find: { total: 2, failed: 0 } }),
  });
  const ctx = { db: 'admin', connectionId: conn.id, now: () => now } as unknown as CommandContext;
  const run = (name: string, cmd: Document) => admin[name](cmd, ctx) as Document;
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      expect(err).to.be.instanceOf(MongoError);
      return (err as MongoError).code;
    }
    throw new Error('expected a MongoError');
  };

  it('answers legacy isMaster with ismaster, and hello with isWritablePrimary', () => {
    expect(run('ismaster', { isMaster: 1 }))
      .to.include({ ismaster: true })
      .and.not.have.property('isWritablePrimary');
    expect(run('ismaster', { ismaster: 1 })).to.include({ ismaster: true });
    expect(run('hello', { hello: 1, helloOk: true })).to.include({ isWritablePrimary: true, helloOk: true });
  });

  it('rejects a client metadata field that is not a document', () => {
    expect(code(() => run('hello', { hello: 1, client: 'me' }))).to.equal(14);
  });

  it('reports uptime from the injected clock', () => {
    const status = run('serverstatus', { serverStatus: 1 });
    expect(status).to.include({ uptime: 90, uptimeMillis: 90_000, process: 'mongod' });
    expect(status.localTime).to.deep.equal(now);
    expect(status.metrics.commands).to.deep.equal({ find: { total: 2, failed: 0 } });
  });

  it('returns all parameters for "*", named ones, and refuses unknown ones', () => {
    expect(run('getparameter', { getParameter: '*' })).to.have.property('featureCompatibilityVersion');
    expect(run('getparameter', { getParameter: 1, logLevel: 1 })).to.deep.equal({ logLevel: 0 });
    expect(code(() => run('getparameter', { getParameter: 1, noSuchThing: 1 }))).to.equal(72);
  });

  it('lists logs and commands', () => {
    expect(run('getlog', { getLog: '*' }).names).to.include('startupWarnings');
    expect(code(() => run('getlog', { getLog: 'nope' }))).to.equal(2);
    expect(Object.keys(run('listcommands', { listCommands: 1 }).commands)).to.deep.equal(['find', 'hello']);
  });

  it('validates getMore and killCursors arguments', () => {
    expect(code(() => run('getmore', { getMore: 1 }))).to.equal(14);
    expect(code(() => run('getmore', { getMore: 1, collection: 'c', batchSize: 'x' }))).to.equal(14);
    expect(code(() => run('killcursors', { killCursors: 'c', cursors: 5 }))).to.equal(14);
    expect(code(() => run('getmore', { getMore: 1, collection: 'c' }))).to.equal(43);
  });
});

// Command routing and the reply envelope: ok:1, MongoDB error replies, and bugs turned into InternalError.
import { expect } from 'chai';
import pino from 'pino';
import type { CommandContext } from '../../../server/db/embedded/contract.ts';
import { CommandCounters, createDispatcher } from '../../../server/db/embedded/dispatch.ts';
import { MongoError } from '../../../server/db/embedded/errors.ts';

const ctx = { db: 'test', connectionId: 1, now: () => new Date(0) } as unknown as CommandContext;

describe('dispatch', () => {
  const logged: unknown[] = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
  const dispatch = createDispatcher(
    {
      find: (cmd) => ({ echoed: cmd.find }),
      findandmodify: async () => ({ value: null }),
      dup: () => {
        throw new MongoError(11000, 'E11000 duplicate key error', { keyValue: { a: 1 } });
      },
      bug: () => {
        throw new TypeError('x is undefined');
      },
    },
    logger,
  );

  it('routes by the first key and adds ok: 1', async () => {
    expect(await dispatch({ find: 'c', filter: {} }, ctx)).to.deep.equal({ echoed: 'c', ok: 1 });
  });

  it('matches command names case-insensitively (findAndModify)', async () => {
    expect(await dispatch({ findAndModify: 'c' }, ctx)).to.deep.equal({ value: null, ok: 1 });
  });

  it('answers an unknown command with 59 CommandNotFound "no such command: \'x\'"', async () => {
    expect(await dispatch({ x: 1, $db: 'test' }, ctx)).to.deep.equal({
      ok: 0,
      errmsg: "no such command: 'x'",
      code: 59,
      codeName: 'CommandNotFound',
    });
  });

  it('turns a MongoError into its reply, extra fields included', async () => {
    const reply = await dispatch({ dup: 1 }, ctx);
    expect(reply).to.include({ ok: 0, code: 11000, codeName: 'DuplicateKey' });
    expect(reply.keyValue).to.deep.equal({ a: 1 });
  });

  it('logs any other exception and answers InternalError (1)', async () => {
    const reply = await dispatch({ bug: 1 }, ctx);
    expect(reply).to.include({ ok: 0, code: 1, codeName: 'InternalError' });
    expect(logged).to.have.length(1);
    expect(logged[0]).to.include({ command: 'bug', msg: 'command failed unexpectedly' });
  });

  it('refuses transaction fields instead of silently running outside a transaction', async () => {
    const reply = await dispatch({ find: 'c', txnNumber: 1, startTransaction: true, autocommit: false }, ctx);
    expect(reply).to.include({ ok: 0, code: 20, codeName: 'IllegalOperation' });
  });

  it('logs commands slower than slowMs', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const info = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const slow = createDispatcher(
      {
        nap: () => new Promise((resolve) => setTimeout(() => resolve({}), 30)),
        quick: () => ({}),
      },
      info,
      { slowMs: 20 },
    );
    await slow({ quick: 1 }, ctx);
    expect(lines).to.have.length(0);
    await slow({ nap: 1 }, ctx);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ msg: 'slow command', command: 'nap', db: 'test' });
  });

  it('names the collection and the filter’s fields of a slow command, never the values', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const info = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const nap = () => new Promise<Record<string, never>>((resolve) => setTimeout(() => resolve({}), 30));
    const slow = createDispatcher({ find: nap, getMore: nap, insert: nap }, info, { slowMs: 20 });
    await slow({ find: 'issues', filter: { contact: { phone: '13800000000' }, state: 'closed' } }, ctx);
    await slow({ getMore: 42, collection: 'issues' }, ctx);
    await slow({ insert: 'outbox', documents: [{}, {}, {}] }, ctx);
    expect(lines.map(({ ns, filter, documents }) => ({ ns, filter, documents }))).to.deep.equal([
      { ns: 'issues', filter: ['contact', 'state'], documents: undefined },
      { ns: 'issues', filter: undefined, documents: undefined },
      { ns: 'outbox', filter: undefined, documents: 3 },
    ]);
    expect(JSON.stringify(lines)).to.not.contain('13800000000');
  });

  it('counts each command by name, failures apart, as serverStatus.metrics.commands reports them', async () => {
    const counters = new CommandCounters();
    const counted = createDispatcher(
      {
        find: () => ({}),
        insert: () => ({ ok: 0, errmsg: 'refused' }),
        dup: () => {
          throw new MongoError(11000, 'E11000 duplicate key error');
        },
      },
      pino({ level: 'silent' }),
      { counters },
    );
    await counted({ find: 'a' }, ctx);
    await counted({ FIND: 'a' }, ctx);
    await counted({ insert: 'a', documents: [] }, ctx);
    await counted({ dup: 1 }, ctx);
    await counted({ nope: 1 }, ctx);
    await counted({ find: 'a', txnNumber: 1 }, ctx);
    expect(counters.report()).to.deep.equal({
      '<UNKNOWN>': { total: 1, failed: 1 },
      dup: { total: 1, failed: 1 },
      find: { total: 3, failed: 1 },
      insert: { total: 1, failed: 1 },
    });
  });
});

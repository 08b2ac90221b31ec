/**
 * Routes one command document to its handler and turns the outcome into a reply.
 *
 * The command's name is the first key of the document, matched case-insensitively against the handler table
 * (handler keys are lower-case). A `MongoError` becomes MongoDB's error reply; any other exception is a bug:
 * it is logged with its stack and answered as InternalError (1) so the client still gets a reply.
 */
import { performance } from 'node:perf_hooks';
import type { Document } from 'bson';
import type { Logger } from 'pino';
import type { CommandContext, CommandHandler } from './contract.ts';
import { ErrorCodes, MongoError } from './errors.ts';
import { commandShape, SLOW_MS } from './command-shape.ts';

export type Dispatcher = (cmd: Document, ctx: CommandContext) => Promise<Document>;

export function commandName(cmd: Document): string | undefined {
  for (const key in cmd) return key;
  return undefined;
}

/**
 * This server is a standalone: a command carrying transaction fields would otherwise run outside any
 * transaction while the client believes it is inside one. Refuse it, as a standalone mongod does.
 */
function refuseTransactions(cmd: Document): void {
  if (cmd.txnNumber !== undefined || cmd.startTransaction !== undefined || cmd.autocommit !== undefined) {
    throw new MongoError(
      ErrorCodes.IllegalOperation,
      'Transaction numbers are only allowed on a replica set member or mongos',
    );
  }
}

export interface DispatcherOptions {
  /** Commands slower than this are logged (like mongod's slow query log). Default 100 ms. */
  slowMs?: number;
  /** Counts every command by name, as `serverStatus.metrics.commands` reports them. */
  counters?: CommandCounters;
}

/**
 * How many times each command ran and how many of those failed, by lower-case name, like mongod's
 * `serverStatus.metrics.commands.<name>.{total, failed}`: how a benchmark counts round trips per request
 * without monitoring the client. Unknown names are counted under `<UNKNOWN>`, as mongod does.
 */
export class CommandCounters {
  private readonly byName = new Map<string, { total: number; failed: number }>();

  count(name: string, failed: boolean): void {
    let entry = this.byName.get(name);
    if (!entry) this.byName.set(name, (entry = { total: 0, failed: 0 }));
    entry.total++;
    if (failed) entry.failed++;
  }

  report(): Record<string, { total: number; failed: number }> {
    const out: Record<string, { total: number; failed: number }> = {};
    for (const [name, entry] of [...this.byName].sort((a, b) => a[0].localeCompare(b[0])))
      out[name] = { ...entry };
    return out;
  }
}

export function createDispatcher(
  handlers: Record<string, CommandHandler>,
  logger: Logger,
  options: DispatcherOptions = {},
): Dispatcher {
  const slowMs = options.slowMs ?? SLOW_MS;
  const table = new Map<string, CommandHandler>();
  for (const [name, handler] of Object.entries(handlers)) table.set(name.toLowerCase(), handler);

  const counters = options.counters;
  return async function dispatch(cmd, ctx) {
    const name = commandName(cmd);
    const counted = name === undefined ? undefined : name.toLowerCase();
    const counterName = counted !== undefined && table.has(counted) ? counted : '<UNKNOWN>';
    try {
      if (name === undefined) throw new MongoError(ErrorCodes.FailedToParse, 'empty command document');
      const handler = table.get(name.toLowerCase());
      if (!handler) throw new MongoError(ErrorCodes.CommandNotFound, `no such command: '${name}'`);
      refuseTransactions(cmd);
      // A duration for the operator's log, not a time the logic depends on: a monotonic timer is right here.
      const started = performance.now();
      const body = await handler(cmd, ctx);
      const ms = performance.now() - started;
      if (ms >= slowMs)
        logger.info(
          { command: name, db: ctx.db, ...commandShape(cmd, name), ms: Math.round(ms) },
          'slow command',
        );
      const reply = 'ok' in body ? body : { ...body, ok: 1 };
      counters?.count(counterName, reply.ok !== 1);
      return reply;
    } catch (err) {
      counters?.count(counterName, true);
      if (err instanceof MongoError) return err.toReply();
      logger.error(
        { err, command: name, db: ctx.db, connectionId: ctx.connectionId },
        'command failed unexpectedly',
      );
      const message = err instanceof Error ? err.message : String(err);
      return new MongoError(ErrorCodes.InternalError, `internal error in '${name}': ${message}`).toReply();
    }
  };
}

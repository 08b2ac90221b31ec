/**
 * The embedded server process: composes engine, data commands, persistence, cursors and the wire listener,
 * and owns their lifecycle — recovery before the first connection, the periodic maintenance tick (idle
 * cursors, TTL expiry, checkpoints), and a clean close that drains connections and checkpoints.
 *
 * Durability rule: if the journal ever fails to commit, the process stops (logs fatal, exits). Serving on
 * would acknowledge writes that are not on disk.
 */
import pino, { type Logger } from 'pino';
import type { CommandContext, CommandHandler, EngineHandle, Persistence } from './contract.ts';
import { adminCommands } from './commands/admin.ts';
import { CursorRegistry } from './cursors.ts';
import { CommandCounters, createDispatcher } from './dispatch.ts';
import { ConnectionDirectory } from './wire/connection-directory.ts';
import { listen, type ListenAddress, type WireListener } from './wire/listener.ts';
import { socketUri } from './wire/unix-socket.ts';
import { createDiskPersistence, createMemoryPersistence } from './storage/index.ts';
import { createEngine } from './engine/index.ts';
import { dataCommands } from './commands/data/index.ts';

export interface EmbeddedServerOptions {
  /**
   * A Unix domain socket to listen on, made owner-only (0600) so that no other OS user can connect: the server
   * has no authentication. Must end in `.sock`. Connect with `mongodb://<percent-encoded path>/`.
   */
  socketPath?: string;
  /**
   * A TCP port as well (0 picks a free one). Without `socketPath` the default is 0; with it, no TCP port is
   * opened unless given: any local process can connect to a TCP port.
   */
  port?: number;
  /** Address of the TCP port. Default 127.0.0.1. */
  host?: string;
  /** Directory for journal and snapshots; without it data lives in memory only. */
  dbpath?: string;
  /** Journal size that triggers a checkpoint (disk persistence only; storage's default when unset). */
  checkpointBytes?: number;
  /** Default: pino at level "warn". */
  logger?: Logger;
  now?: () => Date;
  /** Period of the maintenance tick (TTL sweep, idle cursors, checkpoint). Default 60 s; 0 disables the timer. */
  maintenanceIntervalMs?: number;
  /**
   * How long a cursor's batch may take to fill before it is cut (cursors.ts MAX_BATCH_MS). Tests set 0 so that a
   * find's scan pauses at its first look at the clock.
   */
  cursorBatchMs?: number;
  /** How long close() lets running commands finish before it cuts connections. Default 5 s. */
  drainTimeoutMs?: number;
  /** Called when the journal fails. Default: log fatal and exit the process with status 1. */
  onFatal?: (err: unknown) => void;
}

export interface EmbeddedServer {
  /** The socket's URI when there is one, else the TCP port's. */
  uri: string;
  /** The TCP port, or undefined when the server listens on its socket only. */
  port: number | undefined;
  /** The socket file (absolute), or undefined. */
  socketPath: string | undefined;
  /** The TCP port's URI, or undefined. */
  tcpUri: string | undefined;
  /** Runs one maintenance tick now (tests drive TTL expiry and the cursor timeout with it). */
  runMaintenance(): Promise<void>;
  close(): Promise<void>;
}

/** The pieces a server is made of; `startEmbeddedServer` builds the real ones, tests may pass doubles. */
export interface ServerParts {
  engine: EngineHandle;
  /** Lower-case command name -> handler, built over `engine`. */
  dataHandlers: Record<string, CommandHandler>;
  persistence: Persistence;
  /** Reported by buildInfo/serverStatus, e.g. "journal" or "inMemory". */
  storageEngine: string;
}

const DEFAULT_MAINTENANCE_MS = 60_000;

/** Starts the server with the real engine, data commands and persistence (on disk when `dbpath` is set). */
export async function startEmbeddedServer(opts: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  const logger = opts.logger ?? pino({ level: 'warn' });
  const persistence = opts.dbpath
    ? await createDiskPersistence(opts.dbpath, {
        logger: { info: (m) => logger.info(m), warn: (m) => logger.warn(m) },
        checkpointBytes: opts.checkpointBytes,
      })
    : createMemoryPersistence();
  try {
    const engine = createEngine();
    const dataHandlers = dataCommands(engine);
    const storageEngine = opts.dbpath ? 'journal' : 'inMemory';
    return await startServerWith({ engine, dataHandlers, persistence, storageEngine }, { ...opts, logger });
  } catch (err) {
    await persistence.close();
    throw err;
  }
}

export async function startServerWith(
  parts: ServerParts,
  opts: EmbeddedServerOptions = {},
): Promise<EmbeddedServer> {
  const logger = opts.logger ?? pino({ level: 'warn' });
  const now = opts.now ?? (() => new Date());
  const host = opts.host ?? '127.0.0.1';
  const onFatal = opts.onFatal ?? ((err: unknown) => exitOnJournalFailure(logger, err));
  const { engine } = parts;

  await parts.persistence.recover((change) => engine.applyRecovered(change));
  engine.finishRecovery();

  const checkpoints = new CheckpointRunner(parts.persistence, engine, logger);
  const persistence = guardCommits(parts.persistence, onFatal, () => void checkpoints.runIfWanted());
  const cursors = new CursorRegistry({
    now,
    maxBatchMs: opts.cursorBatchMs,
    onSlow: (cursor) => logger.info(cursor, 'slow cursor'),
  });
  const directory = new ConnectionDirectory();
  const startedAt = now();

  const handlers: Record<string, CommandHandler> = { ...parts.dataHandlers };
  const counters = new CommandCounters();
  Object.assign(
    handlers,
    adminCommands({
      cursors,
      connections: directory,
      startedAt,
      commandNames: () => Object.keys(handlers),
      storageEngine: parts.storageEngine,
      commandCounts: () => counters.report(),
    }),
  );
  const dispatch = createDispatcher(handlers, logger, { counters });
  const context = (db: string, connectionId: number): CommandContext => ({
    db,
    connectionId,
    persistence,
    cursors,
    now,
  });

  const addresses: ListenAddress[] = [];
  if (opts.socketPath !== undefined) addresses.push({ socketPath: opts.socketPath });
  if (opts.port !== undefined || opts.socketPath === undefined)
    addresses.push({ host, port: opts.port ?? 0 });
  const listeners: WireListener[] = [];
  try {
    for (const address of addresses) {
      listeners.push(
        await listen({
          address,
          drainTimeoutMs: opts.drainTimeoutMs,
          directory,
          now,
          logger,
          dispatch,
          context,
        }),
      );
    }
  } catch (err) {
    await Promise.all(listeners.map((l) => l.close()));
    throw err;
  }
  const socketPath = listeners.find((l) => l.socketPath !== undefined)?.socketPath;
  const port = listeners.find((l) => l.port !== undefined)?.port;
  const tcpUri =
    port === undefined ? undefined : `mongodb://${host.includes(':') ? `[${host}]` : host}:${port}/`;
  const uri = socketPath !== undefined ? socketUri(socketPath) : tcpUri!;

  let tick: Promise<void> = Promise.resolve();
  const runMaintenance = (): Promise<void> => {
    tick = tick.then(async () => {
      const dropped = cursors.sweepIdle();
      if (dropped) logger.info({ dropped }, 'idle cursors timed out');
      const expired = engine.sweepExpired(now());
      if (expired.length) {
        await persistence.commit(expired);
        logger.debug({ expired: expired.length }, 'TTL sweep deleted documents');
      }
      await checkpoints.runIfWanted();
    });
    tick = tick.catch((err) => logger.error({ err }, 'maintenance tick failed'));
    return tick;
  };
  const interval = opts.maintenanceIntervalMs ?? DEFAULT_MAINTENANCE_MS;
  const timer = interval > 0 ? setInterval(() => void runMaintenance(), interval) : undefined;
  timer?.unref();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (timer) clearInterval(timer);
      await Promise.all(listeners.map((l) => l.close()));
      await tick;
      cursors.clear();
      await checkpoints.run();
      await parts.persistence.close();
      logger.info({ uri }, 'embedded MongoDB-compatible server closed');
    })();
    return closing;
  };

  logger.info(
    { uri, socketPath, tcpUri, storage: parts.storageEngine },
    `embedded MongoDB-compatible server listening on ${[uri, tcpUri].filter((u) => u !== undefined).join(' and ')}`,
  );
  if (tcpUri) {
    logger.warn(
      { tcpUri },
      'the TCP port has no authentication: every local process can read and write the data',
    );
  }
  return { uri, port, socketPath, tcpUri, runMaintenance, close };
}

/**
 * The persistence handed to command handlers: any commit failure is fatal, and a successful commit may
 * trigger a background checkpoint.
 */
function guardCommits(
  inner: Persistence,
  onFatal: (err: unknown) => void,
  afterCommit: () => void,
): Persistence {
  let failed = false;
  return {
    recover: (apply) => inner.recover(apply),
    checkpoint: (dump) => inner.checkpoint(dump),
    wantsCheckpoint: () => inner.wantsCheckpoint(),
    close: () => inner.close(),
    commit(changes) {
      if (failed) return Promise.reject(new Error('the journal has failed; the server is shutting down'));
      // afterCommit starts a checkpoint in the background: the command's reply must not wait for it.
      return inner.commit(changes).then(
        () => afterCommit(),
        (err: unknown) => {
          if (!failed) {
            failed = true;
            onFatal(err);
          }
          throw err;
        },
      );
    },
  };
}

/** Runs at most one checkpoint at a time; failures are logged (the journal still holds every change). */
class CheckpointRunner {
  private running: Promise<void> | undefined;

  constructor(
    private readonly persistence: Persistence,
    private readonly engine: EngineHandle,
    private readonly logger: Logger,
  ) {}

  runIfWanted(): Promise<void> {
    if (this.running || !this.persistence.wantsCheckpoint()) return this.running ?? Promise.resolve();
    return this.run();
  }

  run(): Promise<void> {
    if (this.running) return this.running.then(() => this.run());
    this.running = this.persistence
      .checkpoint(() => this.engine.snapshot())
      .catch((err: unknown) => this.logger.error({ err }, 'checkpoint failed; the journal is kept'))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }
}

function exitOnJournalFailure(logger: Logger, err: unknown): void {
  logger.fatal({ err }, 'journal commit failed: stopping so that no unjournaled write is acknowledged');
  logger.flush?.();
  process.exit(1);
}

// Opens the application's database: MONGODB_URI when set (production: a replica set), otherwise the
// project's embedded MongoDB-compatible server with its files under DATA_DIR/db, in a thread of its own
// (embedded/thread.ts), so a fresh clone runs with nothing else installed. The embedded server has no
// authentication, so the app reaches it through an owner-only Unix socket (DATA_DIR/db.sock, DATA_DIR made
// 0700 when created here) and opens a loopback TCP port only when EMBEDDED_DB_PORT asks for one. close()
// closes the connection and then the embedded server, in that order.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { startEmbeddedThread } from './embedded/thread.ts';

export interface Database {
  conn: Connection;
  /** True when this process started the embedded server. */
  embedded: boolean;
  close(): Promise<void>;
}

const EMBEDDED_DB_NAME = 'enterprise-issue-loop';
/** The embedded server's socket, beside its data directory. */
export const EMBEDDED_SOCKET_FILE = 'db.sock';

/**
 * How long the driver's monitor waits for the embedded server's heartbeat (its socket timeout is the
 * connection timeout) before it clears the pool and fails the commands in flight. The server is in this
 * process and serves one command at a time, so a heartbeat goes unanswered only while a long command holds
 * its thread (building new indexes over 1,000,000 issues takes tens of seconds, more than the driver's 30 s
 * default), and a thread that dies stops the process through `onEmbeddedExit`: waiting is always right.
 */
const EMBEDDED_MONITOR_TIMEOUT_MS = 15 * 60_000;

/**
 * `onEmbeddedExit` hears the embedded database's thread stopping on its own (a journal failure, a crash): the
 * process should then stop, as it would with a lost MongoDB it cannot do without.
 */
export async function connectDatabase(
  config: Pick<
    Config,
    'mongodbUri' | 'dataDir' | 'logLevel' | 'embeddedDbHeapMb' | 'embeddedDbYoungMb' | 'embeddedDbPort'
  >,
  logger: Logger,
  onEmbeddedExit: (code: number) => void = () => undefined,
): Promise<Database> {
  if (config.mongodbUri) {
    const conn = await mongoose
      .createConnection(config.mongodbUri, { serverSelectionTimeoutMS: 10_000 })
      .asPromise();
    logger.info({ db: conn.name }, 'connected to MongoDB');
    return { conn, embedded: false, close: () => conn.close() };
  }
  const dbpath = path.join(config.dataDir, 'db');
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const server = await startEmbeddedThread(
    {
      dbpath,
      socketPath: path.join(config.dataDir, EMBEDDED_SOCKET_FILE),
      port: config.embeddedDbPort,
      host: '127.0.0.1',
      logLevel: config.logLevel,
      heapMb: config.embeddedDbHeapMb,
      youngMb: config.embeddedDbYoungMb,
    },
    onEmbeddedExit,
  );
  try {
    const conn = await mongoose
      .createConnection(server.uri, {
        dbName: EMBEDDED_DB_NAME,
        serverSelectionTimeoutMS: 10_000,
        connectTimeoutMS: EMBEDDED_MONITOR_TIMEOUT_MS,
      })
      .asPromise();
    logger.info(
      { dbpath, socketPath: server.socketPath, tcpUri: server.tcpUri, heapLimits: server.heapLimits },
      'embedded database started in its own thread',
    );
    return {
      conn,
      embedded: true,
      async close() {
        await conn.close();
        await server.close();
      },
    };
  } catch (err) {
    await server.close();
    throw err;
  }
}

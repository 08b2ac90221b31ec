// Opens the application's database: MONGODB_URI when set (production: a replica set), otherwise the
// project's embedded MongoDB-compatible server with its files under DATA_DIR/db, so a fresh clone runs with
// nothing else installed. close() closes the connection and then the embedded server, in that order.
import path from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { startEmbeddedServer } from './embedded/server.ts';

export interface Database {
  conn: Connection;
  /** True when this process started the embedded server. */
  embedded: boolean;
  close(): Promise<void>;
}

const EMBEDDED_DB_NAME = 'enterprise-issue-loop';

export async function connectDatabase(
  config: Pick<Config, 'mongodbUri' | 'dataDir'>,
  logger: Logger,
): Promise<Database> {
  if (config.mongodbUri) {
    const conn = await mongoose
      .createConnection(config.mongodbUri, { serverSelectionTimeoutMS: 10_000 })
      .asPromise();
    logger.info({ db: conn.name }, 'connected to MongoDB');
    return { conn, embedded: false, close: () => conn.close() };
  }
  const dbpath = path.join(config.dataDir, 'db');
  const server = await startEmbeddedServer({
    port: 0,
    dbpath,
    logger: logger.child({ component: 'embedded-db' }),
  });
  try {
    const conn = await mongoose
      .createConnection(server.uri, { dbName: EMBEDDED_DB_NAME, serverSelectionTimeoutMS: 10_000 })
      .asPromise();
    logger.info({ dbpath, port: server.port }, 'embedded database started');
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

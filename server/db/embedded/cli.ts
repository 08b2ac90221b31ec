/**
 * `npm run db -- --port 27017 --dbpath ./data/db`: runs the embedded server in the foreground, logging to
 * stdout, until SIGINT/SIGTERM, which close it cleanly (drain connections, checkpoint, release the dbpath).
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { startEmbeddedServer } from './server.ts';

const USAGE =
  'usage: npm run db -- [--port 27017] [--host 127.0.0.1] [--dbpath ./data/db] [--checkpoint-mb 64] [--log-level info]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '27017' },
      host: { type: 'string', default: '127.0.0.1' },
      dbpath: { type: 'string' },
      'checkpoint-mb': { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port '${values.port}'`);
  const checkpointMb = values['checkpoint-mb'] === undefined ? undefined : Number(values['checkpoint-mb']);
  if (checkpointMb !== undefined && !(checkpointMb > 0)) {
    throw new Error(`invalid --checkpoint-mb '${values['checkpoint-mb']}'`);
  }
  const logger = pino({ level: values['log-level'] });
  if (!values.dbpath)
    logger.warn('no --dbpath: data is kept in memory only and is lost when the server stops');

  // The server itself logs the "listening on mongodb://..." line.
  const server = await startEmbeddedServer({
    port,
    host: values.host,
    dbpath: values.dbpath,
    checkpointBytes: checkpointMb === undefined ? undefined : Math.round(checkpointMb * 1024 * 1024),
    logger,
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  console.error(USAGE);
  process.exit(1);
});

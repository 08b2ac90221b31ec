/**
 * `npm run db -- --socket ./data/db.sock --dbpath ./data/db`: runs the embedded server in the foreground,
 * logging to stdout, until SIGINT/SIGTERM, which close it cleanly (drain connections, checkpoint, release the
 * dbpath). The server has no authentication: `--socket` is owner-only (0600); a TCP port (`--port`, the
 * default 27017 when no socket is given) is open to every local process.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { startEmbeddedServer, type EmbeddedServerOptions } from './server.ts';
import { checkSocketPath } from './wire/unix-socket.ts';

const USAGE =
  'usage: npm run db -- [--socket ./data/db.sock] [--port 27017] [--host 127.0.0.1] [--dbpath ./data/db] ' +
  '[--checkpoint-mb 64] [--log-level info]\n' +
  '  --socket: owner-only Unix socket (connect with mongodb://<percent-encoded path>/); no TCP port then\n' +
  '  unless --port is given. Without --socket: TCP on --port (default 27017), open to every local user.';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** A mistake in the command line: reported with the usage text. */
class UsageError extends Error {}

interface CliOptions extends EmbeddedServerOptions {
  logLevel: string;
  help: boolean;
}

function parseOptions(argv: string[]): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        socket: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        dbpath: { type: 'string' },
        'checkpoint-mb': { type: 'string' },
        'log-level': { type: 'string', default: 'info' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const port =
    values.port === undefined ? (values.socket === undefined ? 27017 : undefined) : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
    throw new UsageError(`invalid --port '${values.port}'`);
  let socketPath: string | undefined;
  try {
    socketPath = values.socket === undefined ? undefined : checkSocketPath(values.socket);
  } catch (err) {
    throw new UsageError(`invalid --socket: ${(err as Error).message}`);
  }
  const checkpointMb = values['checkpoint-mb'] === undefined ? undefined : Number(values['checkpoint-mb']);
  if (checkpointMb !== undefined && !(checkpointMb > 0)) {
    throw new UsageError(`invalid --checkpoint-mb '${values['checkpoint-mb']}'`);
  }
  if (!LOG_LEVELS.includes(values['log-level'])) {
    throw new UsageError(`invalid --log-level '${values['log-level']}' (one of ${LOG_LEVELS.join(', ')})`);
  }
  return {
    socketPath,
    port,
    host: values.host,
    dbpath: values.dbpath,
    checkpointBytes: checkpointMb === undefined ? undefined : Math.round(checkpointMb * 1024 * 1024),
    logLevel: values['log-level'],
    help: values.help,
  };
}

async function main(): Promise<void> {
  const { help, logLevel, ...serverOptions } = parseOptions(process.argv.slice(2));
  if (help) {
    console.log(USAGE);
    return;
  }
  const logger = pino({ level: logLevel });
  if (!serverOptions.dbpath)
    logger.warn('no --dbpath: data is kept in memory only and is lost when the server stops');

  let server;
  try {
    // The server itself logs the "listening on mongodb://..." line.
    server = await startEmbeddedServer({ ...serverOptions, logger });
  } catch (err) {
    logger.fatal({ err }, `could not start: ${(err as Error).message}`);
    process.exit(1);
  }

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
  if (err instanceof UsageError) console.error(USAGE);
  process.exit(1);
});

/**
 * The embedded server's own thread (see thread.ts): starts the server with the options it was given, reports
 * its address, and closes it (final checkpoint included) when asked. A journal failure ends this thread with
 * status 1, which makes the parent process stop too: no unjournaled write may be acknowledged.
 */
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { startEmbeddedServer } from './server.ts';
import type { ThreadOptions, ThreadReply } from './thread.ts';

const options = workerData as ThreadOptions;
const port = parentPort!;
const logger = pino({ level: options.logLevel }).child({ component: 'embedded-db' });
const reply = (message: ThreadReply) => port.postMessage(message);

try {
  const server = await startEmbeddedServer({
    socketPath: options.socketPath,
    port: options.port,
    host: options.host,
    dbpath: options.dbpath,
    logger,
    onFatal(err) {
      logger.fatal({ err }, 'journal commit failed: stopping so that no unjournaled write is acknowledged');
      logger.flush?.();
      process.exit(1);
    },
  });
  port.on('message', (message: unknown) => {
    if (message !== 'close') return;
    void server.close().then(
      () => reply({ closed: true }),
      (err: unknown) => reply({ error: String((err as Error)?.stack ?? err) }),
    );
  });
  reply({ uri: server.uri, port: server.port, socketPath: server.socketPath, tcpUri: server.tcpUri });
} catch (err) {
  reply({ error: String((err as Error)?.stack ?? err) });
}

/**
 * The TCP side of the server: accepts connections, registers each in the directory, and on close stops
 * accepting, lets every connection finish the command it is running, then ends them all.
 */
import net from 'node:net';
import type { Logger } from 'pino';
import { ConnectionDirectory } from './connection-directory.ts';
import { WireConnection, type ConnectionDeps } from './connection.ts';

export interface ListenOptions extends ConnectionDeps {
  host: string;
  port: number;
  directory: ConnectionDirectory;
  now: () => Date;
  logger: Logger;
  /** How long close() waits for running commands before cutting connections. */
  drainTimeoutMs?: number;
}

export interface WireListener {
  host: string;
  port: number;
  close(): Promise<void>;
}

export async function listen(options: ListenOptions): Promise<WireListener> {
  const connections = new Set<WireConnection>();
  const server = net.createServer((socket) => {
    const remote = `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`;
    const info = options.directory.add(remote, options.now());
    const connection = new WireConnection(socket, info, options);
    connections.add(connection);
    options.logger.debug({ connectionId: info.id, remote }, 'connection accepted');
    socket.on('close', () => {
      connections.delete(connection);
      options.directory.remove(info.id);
      options.logger.debug({ connectionId: info.id }, 'connection ended');
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => options.logger.error({ err }, 'listener error'));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  return {
    host: options.host,
    port,
    async close() {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      const open = [...connections];
      const drained = () => Promise.all(open.map((c) => c.idle()));
      await Promise.race([drained(), delay(options.drainTimeoutMs ?? 5000)]);
      for (const connection of open) connection.close();
      // A command still running (e.g. awaiting its journal commit) must finish before the caller goes on to
      // close persistence; its reply is dropped with the connection.
      await drained();
      await stopped;
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

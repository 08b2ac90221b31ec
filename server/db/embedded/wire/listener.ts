/**
 * The socket side of the server: accepts connections on a Unix domain socket (owner-only, unix-socket.ts) or a
 * TCP port, registers each in the directory, and on close stops accepting, lets every connection finish the
 * command it is running, then ends them all.
 */
import net from 'node:net';
import type { Logger } from 'pino';
import { ConnectionDirectory } from './connection-directory.ts';
import { WireConnection, type ConnectionDeps } from './connection.ts';
import { bindUnixSocket, type BoundSocket } from './unix-socket.ts';

/** Where one listener accepts connections. */
export type ListenAddress = { host: string; port: number } | { socketPath: string };

export interface ListenOptions extends ConnectionDeps {
  address: ListenAddress;
  directory: ConnectionDirectory;
  now: () => Date;
  logger: Logger;
  /** How long close() waits for running commands before cutting connections. */
  drainTimeoutMs?: number;
}

export interface WireListener {
  /** The TCP port, or undefined on a Unix socket. */
  port: number | undefined;
  /** The socket file's absolute path, or undefined on TCP. */
  socketPath: string | undefined;
  close(): Promise<void>;
}

export async function listen(options: ListenOptions): Promise<WireListener> {
  const connections = new Set<WireConnection>();
  const server = net.createServer((socket) => {
    const remote =
      socket.remoteAddress === undefined ? 'unix' : `${socket.remoteAddress}:${socket.remotePort ?? 0}`;
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

  const { address } = options;
  let bound: BoundSocket | undefined;
  if ('socketPath' in address) bound = await bindUnixSocket(server, address.socketPath);
  else {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(address.port, address.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }
  server.on('error', (err) => options.logger.error({ err }, 'listener error'));
  const info = server.address();
  const port = typeof info === 'object' && info ? info.port : undefined;

  return {
    port,
    socketPath: bound?.path,
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
      await bound?.remove();
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Binds the wire listener to a Unix domain socket that only the server's own OS user can open (issue 10,
 * finding 12: the server has no authentication, so who may connect is decided by file permissions).
 *
 * - The socket is bound inside a fresh private directory (mode 0700), made 0600, and only then hard-linked to
 *   its real path, so it is never reachable with looser permissions, whatever the umask or the parent's mode.
 * - A socket file left by a crashed server is removed; one a live server still answers on is never taken
 *   (start-up fails, naming it), and `link` refuses to replace a socket another server bound meanwhile.
 * - On close the file is removed only if it is still ours.
 */
import { chmod, link, lstat, mkdir, mkdtemp, rm, stat, unlink } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

/** sun_path holds 108 bytes on Linux (104 on macOS), the terminating NUL included. */
const MAX_PATH_BYTES = process.platform === 'darwin' ? 103 : 107;
/** How long a connection attempt to an existing socket file may take before it counts as a live server. */
const PROBE_TIMEOUT_MS = 1000;

export class SocketPathError extends Error {}

export interface BoundSocket {
  path: string;
  /** Removes the socket file if it is still the one this server bound. */
  remove(): Promise<void>;
}

/** Validates `socketPath` as the driver and the kernel need it; returns it absolute. */
export function checkSocketPath(socketPath: string): string {
  const absolute = path.resolve(socketPath);
  // The driver reads a host ending in ".sock" as a socket path (mongodb://%2Fdir%2Fdb.sock/), nothing else.
  if (!absolute.endsWith('.sock')) {
    throw new SocketPathError(`socket path '${absolute}' must end in .sock (the driver's cue for a socket)`);
  }
  const bytes = Math.max(Buffer.byteLength(absolute), Buffer.byteLength(privateBindPath(absolute, 'XXXXXX')));
  if (bytes > MAX_PATH_BYTES) {
    throw new SocketPathError(
      `socket path '${absolute}' is too long for a Unix socket (${bytes} of at most ${MAX_PATH_BYTES} bytes ` +
        'while binding): choose a shorter directory',
    );
  }
  return absolute;
}

/** The URI the official driver and mongosh take for a socket: the path percent-encoded as the host. */
export function socketUri(socketPath: string): string {
  return `mongodb://${encodeURIComponent(socketPath)}/`;
}

/** Makes `server` listen on `socketPath` (see the header); rejects with a clear message if it cannot. */
export async function bindUnixSocket(server: net.Server, socketPath: string): Promise<BoundSocket> {
  const target = checkSocketPath(socketPath);
  const dir = path.dirname(target);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await removeStale(target);
  const privateDir = await mkdtemp(path.join(dir, '.sock-'));
  try {
    const temporary = path.join(privateDir, 's.sock');
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(temporary, () => {
        server.off('error', reject);
        resolve();
      });
    });
    await chmod(temporary, 0o600);
    try {
      await link(temporary, target);
    } catch (err) {
      await new Promise((resolve) => server.close(resolve));
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw inUse(target);
      throw err;
    }
  } finally {
    await rm(privateDir, { recursive: true, force: true });
  }
  const { dev, ino } = await stat(target);
  return {
    path: target,
    async remove() {
      const now = await stat(target).catch(() => undefined);
      if (now && now.dev === dev && now.ino === ino) await unlink(target).catch(() => undefined);
    },
  };
}

function privateBindPath(target: string, suffix: string): string {
  return path.join(path.dirname(target), `.sock-${suffix}`, 's.sock');
}

function inUse(target: string): SocketPathError {
  return new SocketPathError(
    `another server is listening on ${target}: stop it first (its socket file is left in place)`,
  );
}

/** Removes a socket file nobody listens on; refuses a live socket or a file that is not a socket. */
async function removeStale(target: string): Promise<void> {
  const found = await lstat(target).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!found) return;
  if (!found.isSocket()) {
    throw new SocketPathError(`${target} exists and is not a socket: refusing to replace it`);
  }
  const probe = await new Promise<'live' | 'stale' | NodeJS.ErrnoException>((resolve) => {
    const socket = net.connect(target);
    const timer = setTimeout(() => finish('live'), PROBE_TIMEOUT_MS);
    function finish(outcome: 'live' | 'stale' | NodeJS.ErrnoException) {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    }
    socket.once('connect', () => finish('live'));
    socket.once('error', (err: NodeJS.ErrnoException) =>
      finish(err.code === 'ECONNREFUSED' || err.code === 'ENOENT' ? 'stale' : err),
    );
  });
  if (probe === 'live') throw inUse(target);
  if (probe !== 'stale') {
    throw new SocketPathError(
      `cannot tell whether ${target} is in use (${probe.code}): refusing to replace it`,
    );
  }
  await unlink(target).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

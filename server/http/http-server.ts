// The HTTP server in front of the app, hardened against slow clients: a client must send its headers within
// HEADERS and its whole request within REQUEST (a slow-body connection is cut with 408 rather than held for
// ever), idle keep-alive connections close after KEEP_ALIVE, and one client address may hold at most
// `maxPerAddress` connections at once (0: no cap; behind a reverse proxy every connection comes from the
// proxy, so the proxy enforces it and the cap is raised or turned off). Upgraded sockets (realtime) are
// not subject to the request timeouts but do count towards the cap.
import { createServer, type RequestListener, type Server } from 'node:http';

export interface HttpServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxPerAddress: number;
  /** How often Node checks the request timeouts (its default, 30 s, would let a slow body linger that long). */
  checkIntervalMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpServerLimits = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxPerAddress: 64,
  checkIntervalMs: 2_000,
});

export function createHttpServer(
  app: RequestListener,
  limits: HttpServerLimits = DEFAULT_HTTP_LIMITS,
): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
    app,
  );
  if (limits.maxPerAddress > 0) {
    const open = new Map<string, number>();
    server.on('connection', (socket) => {
      const address = socket.remoteAddress ?? 'unknown';
      const count = (open.get(address) ?? 0) + 1;
      if (count > limits.maxPerAddress) {
        socket.destroy();
        return;
      }
      open.set(address, count);
      socket.once('close', () => {
        const left = (open.get(address) ?? 1) - 1;
        if (left > 0) open.set(address, left);
        else open.delete(address);
      });
    });
  }
  return server;
}

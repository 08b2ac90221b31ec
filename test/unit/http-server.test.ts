// Finding 10: slow clients cannot hold the server. A request whose body never finishes is cut after the
// request timeout, and one address cannot hold more than its share of connections, while the server keeps
// answering everyone else.
import { expect } from 'chai';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';
import { createHttpServer, type HttpServerLimits } from '../../server/http/http-server.ts';

const limits = {
  headersTimeoutMs: 400,
  requestTimeoutMs: 600,
  keepAliveTimeoutMs: 500,
  maxPerAddress: 3,
  checkIntervalMs: 100,
};

async function open(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}

/** Resolves with what the server sent before it closed the socket, or null if still open after `ms`. */
function closedWithin(socket: Socket, ms: number): Promise<string | null> {
  return new Promise((resolve) => {
    let data = '';
    socket.on('data', (d) => (data += String(d)));
    const timer = setTimeout(() => resolve(null), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}

/**
 * On a server of its own: sends `head`, then `drip(n)` every 50 ms; resolves like closedWithin (3 s), with
 * what the server answered before it cut the connection.
 */
async function dribble(
  app: RequestListener,
  serverLimits: HttpServerLimits,
  head: string,
  drip: (n: number) => string,
): Promise<string | null> {
  const server = createHttpServer(app, serverLimits);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const slow = await open((server.address() as AddressInfo).port);
  slow.write(head);
  let n = 0;
  const timer = setInterval(() => slow.writable && slow.write(drip(n++)), 50);
  try {
    return await closedWithin(slow, 3000);
  } finally {
    clearInterval(timer);
    slow.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('http server: slow clients and connection caps', () => {
  // Like the JSON parser: answers once the whole body has arrived.
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  }, limits);
  let port = 0;
  const sockets: Socket[] = [];
  before(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterEach(() => sockets.splice(0).forEach((s) => s.destroy()));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('cuts a request whose body never arrives (408), well before a minute', async () => {
    const slow = await open(port);
    sockets.push(slow);
    slow.write(
      'POST /x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
    );
    const answer = await closedWithin(slow, 3000);
    expect(answer, 'connection still open').to.not.equal(null);
    expect(answer).to.match(/^HTTP\/1\.1 408/);
  });

  it('cuts a request whose body keeps dribbling after it was answered', async () => {
    // Like a route refusing a request (401) before reading its body: Node then drains the body, which must
    // not let a client hold the connection by sending a byte now and then.
    const answer = await dribble(
      (_req, res) => res.writeHead(401).end('no'),
      limits,
      'POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{',
      () => 'a',
    );
    expect(answer, 'connection still open').to.not.equal(null);
    expect(answer).to.match(/^HTTP\/1\.1 401/);
  });

  it('cuts a client whose headers never end (408), by the headers timeout', async () => {
    // The request timeout is set far out here, so only the headers timeout can cut it within the wait.
    const answer = await dribble(
      () => undefined,
      { ...limits, requestTimeoutMs: 60_000, headersTimeoutMs: 300 },
      'GET /x HTTP/1.1\r\nHost: x\r\n',
      (n) => `X-Slow-${n}: 1\r\n`,
    );
    expect(answer, 'connection still open').to.not.equal(null);
    expect(answer).to.match(/^HTTP\/1\.1 408/);
  });

  it('refuses connections beyond the per-address cap, and still answers', async () => {
    for (let i = 0; i < 3; i += 1) {
      const s = await open(port);
      s.write('POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n');
      sockets.push(s);
    }
    const extra = await open(port);
    sockets.push(extra);
    expect(await closedWithin(extra, 1000)).to.equal('');
    for (const s of sockets.slice(0, 3)) s.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(await res.text()).to.equal('ok');
  });
});

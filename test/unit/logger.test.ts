// The request log: one line per request with its id (echoed as X-Request-Id), and never an enterprise QR token:
// `/e/<token>` is a bearer secret printed on a sticker.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { pino, type Logger } from 'pino';
import { createHttpLogger, redactUrl } from '../../server/logger.ts';

describe('logger: QR tokens in logged URLs', () => {
  it('redacts the token of every QR page path and leaves other URLs alone', () => {
    expect(redactUrl('/e/Zk3p9_Qx-2')).to.equal('/e/[redacted]');
    expect(redactUrl('/e/Zk3p9_Qx-2/issues/65a1b2c3d4e5f60718293a4b/rate')).to.equal(
      '/e/[redacted]/issues/65a1b2c3d4e5f60718293a4b/rate',
    );
    expect(redactUrl('/e/Zk3p9_Qx-2?msg=verified')).to.equal('/e/[redacted]?msg=verified');
    expect(redactUrl('/E/Zk3p9_Qx-2/verify')).to.equal('/E/[redacted]/verify');
    expect(redactUrl('http://example.org/e/Zk3p9_Qx-2')).to.equal('http://example.org/e/[redacted]');
    expect(redactUrl('/api/issues?state=dispatched&limit=20')).to.equal(
      '/api/issues?state=dispatched&limit=20',
    );
    expect(redactUrl('/healthz')).to.equal('/healthz');
  });

  it("redacts a WeChat push's query: its signature, timestamp, nonce and the follower's openid", () => {
    const push = '/api/intake/wechat?signature=5f1c&timestamp=1796476929&nonce=88&openid=oABC-follower';
    expect(redactUrl(push)).to.equal('/api/intake/wechat?[redacted]');
    expect(redactUrl('/API/intake/wechat/?echostr=x&signature=5f1c')).to.equal(
      '/API/intake/wechat/?[redacted]',
    );
    expect(redactUrl('/api/intake/wechat')).to.equal('/api/intake/wechat');
    expect(redactUrl('/api/intake/hotline12345?x=1')).to.equal('/api/intake/hotline12345?x=1');
  });

  it('redacts what staff searched for and contact parameters, and keeps the other filters', () => {
    expect(redactUrl('/api/enterprises?q=18708942358')).to.equal('/api/enterprises?q=[redacted]');
    expect(redactUrl('/api/issues?state=replied&q=%E9%AB%98%E7%8E%89%E5%85%B0&limit=20')).to.equal(
      '/api/issues?state=replied&q=[redacted]&limit=20',
    );
    expect(redactUrl('/api/x?Mobile=138&contactPhone=139&email=a%40b.cn#top')).to.equal(
      '/api/x?Mobile=[redacted]&contactPhone=[redacted]&email=[redacted]#top',
    );
    expect(redactUrl('/api/issues?queue=verify&sequence=3')).to.equal('/api/issues?queue=verify&sequence=3');
  });

  it('writes request log lines without the token', async () => {
    const lines = await logged(
      () => 303,
      (base) => fetch(`${base}/e/SecretToken123/verify-pin`, { method: 'POST', redirect: 'manual' }),
    );
    const log = lines.join('');
    expect(log).to.include('/e/[redacted]/verify-pin');
    expect(log).to.not.include('SecretToken123');
  });
});

describe('logger: the request log', () => {
  it('writes one line per request with its id, method, status and time, and echoes the id', async () => {
    let echoed: string | null = null;
    const lines = await logged(
      (url) => (url === '/missing' ? 404 : 200),
      async (base) => {
        const res = await fetch(`${base}/api/issues?limit=5`, {
          headers: { 'X-Request-Id': 'trace-abc-12345', Authorization: 'Bearer secret-token' },
        });
        echoed = res.headers.get('x-request-id');
        await fetch(`${base}/missing`);
        await fetch(`${base}/healthz`);
      },
    );
    expect(echoed).to.equal('trace-abc-12345');
    const entries = lines.map((l) => JSON.parse(l) as Record<string, any>);
    expect(entries).to.have.length(2); // health checks are not logged
    expect(entries[0]).to.deep.include({
      level: 30,
      req: { id: 'trace-abc-12345', method: 'GET', url: '/api/issues?limit=5' },
      res: { statusCode: 200 },
      msg: 'request completed',
    });
    expect(entries[0].responseTime).to.be.a('number');
    expect(entries[1]).to.deep.include({ level: 40, res: { statusCode: 404 } });
    expect(entries[1].req.id).to.match(/^[0-9a-f-]{36}$/);
    expect(lines.join('')).to.not.include('secret-token');
  });
});

describe('logger: below its level', () => {
  it('builds no line for a request whose level the logger does not write, and writes the others', async () => {
    let infoCalls = 0;
    const lines = await logged(
      (url) => (url === '/missing' ? 404 : 200),
      async (base) => {
        await fetch(`${base}/e/SecretToken123`);
        await fetch(`${base}/missing`);
      },
      (logger) => {
        const info = logger.info.bind(logger);
        logger.info = ((...args: Parameters<typeof info>) => {
          infoCalls += 1;
          info(...args);
        }) as typeof logger.info;
      },
      'warn',
    );
    expect(infoCalls).to.equal(0);
    expect(lines).to.have.length(1);
    expect(JSON.parse(lines[0])).to.deep.include({ level: 40, res: { statusCode: 404 } });
  });
});

describe('logger: a request whose client leaves before the answer', () => {
  it('writes one line for it, marked aborted, and one for a finished request', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const httpLogger = createHttpLogger(pino({ level: 'info' }, sink));
    const arrived: Array<() => void> = [];
    const server = createServer((req, res) => {
      httpLogger(req, res);
      if (req.url === '/slow') arrived.shift()?.();
      else res.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await fetch(`${base}/fast`);
      const gone = new AbortController();
      const waiting = new Promise<void>((resolve) => arrived.push(resolve));
      const slow = fetch(`${base}/slow`, { signal: gone.signal }).catch(() => undefined);
      await waiting;
      gone.abort();
      await slow;
      for (let i = 0; i < 100 && lines.length < 2; i += 1) await new Promise((r) => setTimeout(r, 10));
    } finally {
      server.closeAllConnections();
      server.close();
    }
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).to.deep.equal([
      'request completed',
      'request aborted',
    ]);
  });
});

/** The log lines written while `run` sends requests to a server answering with `status(url)`. */
async function logged(
  status: (url: string) => number,
  run: (base: string) => Promise<unknown>,
  watch?: (logger: Logger) => void,
  level = 'info',
): Promise<string[]> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level }, sink);
  watch?.(logger);
  const httpLogger = createHttpLogger(logger);
  const server = createServer((req, res) => {
    httpLogger(req, res);
    res.statusCode = status(req.url ?? '');
    res.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    await run(`http://127.0.0.1:${port}`);
  } finally {
    server.close();
  }
  return lines;
}

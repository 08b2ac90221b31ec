// The request log never carries an enterprise QR token: `/e/<token>` is a bearer secret printed on a sticker.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { pino } from 'pino';
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
    expect(redactUrl('/api/issues?q=/e/x')).to.equal('/api/issues?q=/e/x');
    expect(redactUrl('/healthz')).to.equal('/healthz');
  });

  it('writes request log lines without the token', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const httpLogger = createHttpLogger(pino({ level: 'info' }, sink));
    const server = createServer((req, res) => {
      httpLogger(req, res);
      res.statusCode = 303;
      res.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      await fetch(`http://127.0.0.1:${port}/e/SecretToken123/verify-pin`, {
        method: 'POST',
        redirect: 'manual',
      });
    } finally {
      server.close();
    }
    const log = lines.join('');
    expect(log).to.include('/e/[redacted]/verify-pin');
    expect(log).to.not.include('SecretToken123');
  });
});

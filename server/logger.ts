// Structured logging: one pino logger for the process, and pino-http request logging that gives every request
// an id (taken from a well-formed incoming X-Request-Id, otherwise generated) echoed back as X-Request-Id, so a
// user's report of a failure can be matched to the server log line. The enterprise QR token in `/e/<token>`
// is a bearer secret (anyone holding it sees the summary page), so logged URLs carry `/e/[redacted]`.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type Logger } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';
import type { LogLevel } from './config.ts';

export type { Logger };

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;
// Express matches routes case-insensitively, and a request line may carry an absolute URL.
const QR_TOKEN_IN_PATH = /^((?:[a-z][a-z0-9+.-]*:\/\/[^/]*)?\/e\/)[^/?#]*/i;

/** The URL as logged: the QR page token replaced (the rest of the path, e.g. `/verify`, stays useful). */
export function redactUrl(url: string): string {
  return url.replace(QR_TOKEN_IN_PATH, '$1[redacted]');
}

export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    // Never write credentials or tokens to the log.
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password'],
      censor: '[redacted]',
    },
  });
}

export function createHttpLogger(logger: Logger): HttpLogger {
  return pinoHttp({
    logger,
    genReqId(req: IncomingMessage, res: ServerResponse) {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel(_req, res, err) {
      if (err || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      return 'info';
    },
    autoLogging: { ignore: (req) => req.url === '/healthz' },
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.url),
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
}

// Structured logging: one pino logger for the process, and a request log that gives every request an id (taken
// from a well-formed incoming X-Request-Id, otherwise generated) echoed back as X-Request-Id, so a user's report
// of a failure can be matched to the server log line. The enterprise QR token in `/e/<token>` is a bearer secret
// (anyone holding it sees the summary page), so logged URLs carry `/e/[redacted]`.
//
// The request log is written here rather than by pino-http: pino-http builds a child logger per request whose
// bindings serialise the whole request (headers included) before a line is written, which cost more than
// verifying the staff token. This writes the same line from the four fields it shows, once the response ends.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

export type { Logger };

declare module 'node:http' {
  interface IncomingMessage {
    /** The request id (X-Request-Id), set by the request log. */
    id?: string;
    /** The process logger, for handlers that log about this request (with its id). */
    log?: Logger;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;
// Express matches routes case-insensitively, and a request line may carry an absolute URL.
const QR_TOKEN_IN_PATH = /^((?:[a-z][a-z0-9+.-]*:\/\/[^/]*)?\/e\/)[^/?#]*/i;

// WeChat signs a push in its URL (signature, msg_signature, timestamp, nonce) and names the follower (openid).
const WECHAT_QUERY = /^((?:[a-z][a-z0-9+.-]*:\/\/[^/]*)?\/api\/intake\/wechat\/?\?).*$/i;

// What staff type into a search box or a filter may be a person: a mobile, a name, an address.
const PERSONAL_PARAM = /([?&](?:q|phone|mobile|email|name|contact\w*)=)[^&#]*/gi;

/**
 * The URL as logged: the QR page token replaced (the rest of the path, e.g. `/verify`, stays useful), a
 * WeChat push's query, whose signature would vouch for another push within its five minutes, and the values of
 * search and contact parameters (personal data; the other filters stay readable).
 */
export function redactUrl(url: string): string {
  return url
    .replace(QR_TOKEN_IN_PATH, '$1[redacted]')
    .replace(WECHAT_QUERY, '$1[redacted]')
    .replace(PERSONAL_PARAM, '$1[redacted]');
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

export type HttpLogger = (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;

function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

function levelOf(statusCode: number): 'error' | 'warn' | 'info' {
  if (statusCode >= 500) return 'error';
  return statusCode >= 400 ? 'warn' : 'info';
}

/** One line per request when its response ends (or the connection closes first); health checks unlogged. */
export function createHttpLogger(logger: Logger): HttpLogger {
  return (req, res, next) => {
    const id = requestIdOf(req);
    req.id = id;
    req.log = logger;
    res.setHeader('X-Request-Id', id);
    if (req.url !== '/healthz') {
      const started = Date.now();
      const { method, url = '' } = req;
      // A response emits `close` once, after `finish` or when the connection closes first: one listener sees both.
      res.on('close', () => {
        const { statusCode } = res;
        const level = levelOf(statusCode);
        // At `warn` (production) a page's line is never written: skip building it (the URL's redaction was
        // about 1.5 % of what a QR page allocates).
        if (!logger.isLevelEnabled(level)) return;
        const line = { req: { id, method, url: redactUrl(url) }, res: { statusCode } };
        const responseTime = Date.now() - started;
        const aborted = !res.writableFinished;
        logger[level](
          { ...line, responseTime },
          aborted ? 'request aborted' : statusCode >= 500 ? 'request errored' : 'request completed',
        );
      });
    }
    next?.();
  };
}

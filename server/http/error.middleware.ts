// The single place where failures become HTTP answers. Known failures (AppError, validation, malformed or
// oversized bodies, bad ids, duplicate keys) get a stable 4xx `{error:{code,message}}`; anything else is a bug:
// it is logged with the request id and answered with a generic 500 that leaks nothing. A validation failure also
// names its input as `field` (`contact.email`); its message is the schema's own Chinese sentence, which the
// screens show as it is, so a user never reads the English field name.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { ChannelRefusal } from '../channels/types.ts';
import { AppError, isAppError } from '../errors.ts';
import { isChineseMessage, zodIssueMessage } from './zod-messages.ts';

interface HttpishError {
  type?: string;
  status?: number;
  statusCode?: number;
  name?: string;
  code?: unknown;
  kind?: string;
  path?: string;
  errors?: Record<string, { message?: string; path?: string }>;
}

/** Formats a zod issue path like `enterprise.creditCode` or `items[2].name`. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/**
 * Our schemas speak Chinese (请填写根本原因), shown as it is; a generic message (zod's English, put in Chinese by
 * zod-messages, or mongoose's) needs the field named.
 */
function invalidField(
  field: string,
  message: string,
  generic = message,
  code = 'validation_failed',
): AppError {
  return new AppError(code, 400, isChineseMessage(message) ? message : `字段 ${field} 无效：${generic}`, {
    field,
  });
}

/** Maps any thrown value to an AppError when it is a known client mistake; undefined means "a bug". */
export function toAppError(err: unknown): AppError | undefined {
  if (isAppError(err)) return err;
  // A channel adapter's refusal (bad signature, malformed payload) carries its own stable code and status.
  if (err instanceof ChannelRefusal) return new AppError(err.code, err.status, err.message);
  if (err instanceof z.ZodError) {
    const issue = err.issues[0];
    const where = issue ? formatPath(issue.path) : '';
    // A rule may name its own stable code (`params: {code}`: invalid_phone), so a client can tell it apart.
    const code =
      issue?.code === 'custom' && typeof issue.params?.code === 'string' ? issue.params.code : undefined;
    if (where) return invalidField(where, issue.message, zodIssueMessage(issue), code);
    // The body itself is of the wrong kind (an array, a string): zod says so in English.
    if (issue?.code === 'invalid_type') return new AppError('validation_failed', 400, '请求体应为 JSON 对象');
    return new AppError('validation_failed', 400, `请求无效：${issue ? zodIssueMessage(issue) : ''}`);
  }
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as HttpishError;
  switch (e.type) {
    case 'entity.parse.failed':
      return new AppError('invalid_json', 400, '请求体不是合法的 JSON');
    case 'entity.too.large':
      return new AppError('payload_too_large', 413, '请求体过大');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('unsupported_media_type', 415, '不支持的请求编码');
    case 'request.aborted':
      return new AppError('bad_request', 400, '请求被中断');
  }
  if (e.name === 'CastError') {
    // A malformed id in the URL means "no such record"; a malformed value elsewhere is the client's mistake.
    return e.path === '_id'
      ? new AppError('not_found', 404, '资源不存在')
      : new AppError('validation_failed', 400, `字段 ${e.path ?? ''} 格式无效`);
  }
  if (e.name === 'ValidationError' && e.errors) {
    const first = Object.values(e.errors)[0];
    return invalidField(first?.path ?? '', first?.message ?? '');
  }
  if (e.code === 11000 || e.code === 11001) {
    return new AppError('duplicate', 409, '记录已存在');
  }
  // Other errors that carry a client status (e.g. from express internals) keep it, with a generic message.
  const status = e.status ?? e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError('bad_request', status, '请求无效');
  }
  return undefined;
}

export const errorMiddleware: ErrorRequestHandler = (err, req, res, next) => {
  if (res.headersSent) {
    next(err);
    return;
  }
  const known = toAppError(err);
  if (known) {
    if ((known.status === 429 || known.status === 503) && !res.getHeader('Retry-After'))
      res.setHeader('Retry-After', known.status === 429 ? '60' : '30');
    const field = known.details?.field;
    res.status(known.status).json({
      error: { code: known.code, message: known.message, ...(typeof field === 'string' ? { field } : {}) },
    });
    return;
  }
  req.log?.error({ err, reqId: req.id }, 'unhandled error');
  res.status(500).json({
    error: { code: 'internal', message: `服务器内部错误，请稍后重试（请求编号 ${String(req.id ?? '')}）` },
  });
};

/** Unknown route: a JSON 404 rather than Express's HTML page. */
export const notFoundHandler: RequestHandler = (_req, res) => {
  res.status(404).json({ error: { code: 'not_found', message: '接口不存在' } });
};

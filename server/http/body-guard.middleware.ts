// One sanitising check for every parsed request body, before any route sees it. A JSON body is data, never a
// query or a BSON type: keys that MongoDB would read as operators (`$…`), that the BSON serialiser would turn
// into a type (`_bsontype` makes the driver encode `{"_bsontype":"Code"}` as JavaScript code, or throw), that
// JavaScript would read as the prototype (`__proto__`, `constructor`, `prototype`: JSON.parse keeps them as own
// keys and the next spread or assign silently drops or re-parents them), and NUL characters (a NUL in a key
// cannot be stored as a BSON field name) are refused here with one stable 400 `invalid_body`, so no route,
// command or model has to remember them. Nesting is bounded too: a deep body is an attack, not a request.
import { isUtf8 } from 'node:buffer';
import type { RequestHandler } from 'express';
import { AppError } from '../errors.ts';

/**
 * A body that is not UTF-8 (GBK bytes sent as JSON, say) would be decoded with U+FFFD in place of every bad byte
 * and stored as garbage (a provisional enterprise named "��"): it is refused instead, with a stable 400.
 */
export const NOT_UTF8_MESSAGE = '请求体不是合法的 UTF-8 文本，请以 UTF-8 编码发送';

/** express.json's `verify`: throws the 400 for a body that is not UTF-8. */
export function requireUtf8(_req: unknown, _res: unknown, body: Buffer): void {
  if (!isUtf8(body)) throw new AppError('invalid_encoding', 400, NOT_UTF8_MESSAGE);
}

export const MAX_BODY_DEPTH = 32;

const FORBIDDEN_KEYS = new Set(['_bsontype', '__proto__', 'constructor', 'prototype']);

/** Why a parsed body is refused, or undefined when it is plain data. Pure, so it is unit-tested directly. */
export function bodyProblem(value: unknown, depth = 0): string | undefined {
  if (depth > MAX_BODY_DEPTH) return `请求体嵌套超过 ${MAX_BODY_DEPTH} 层`;
  if (typeof value === 'string') return value.includes('\u0000') ? '请求体不能包含 NUL 字符' : undefined;
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = bodyProblem(item, depth + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  for (const key of Object.keys(value)) {
    if (key.startsWith('$')) return `字段名不能以 $ 开头：${key.slice(0, 40)}`;
    if (FORBIDDEN_KEYS.has(key)) return `字段名不允许：${key}`;
    if (key.includes('\u0000')) return '字段名不能包含 NUL 字符';
    const problem = bodyProblem((value as Record<string, unknown>)[key], depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Mount on /api after the JSON parser: a request whose body that parser did not read (no content type, a form,
 * plain text) is 415, instead of a 400 about fields it seemed to leave out. Uploads (multipart) are read by their
 * routes; the channels (/api/intake, WeChat's XML among them) are mounted before and read their own bytes.
 */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const sent =
    Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (req.body !== undefined || !sent || req.is('multipart/form-data')) return next();
  next(new AppError('unsupported_media_type', 415, '请求体须为 JSON（Content-Type: application/json）'));
};

/** Mount right after the body parsers; raw (Buffer) bodies of signed webhooks are left to their verifiers. */
export const bodyGuard: RequestHandler = (req, _res, next) => {
  const body: unknown = req.body;
  if (body === undefined || body === null || Buffer.isBuffer(body) || typeof body !== 'object') return next();
  const problem = bodyProblem(body);
  if (problem) return next(new AppError('invalid_body', 400, problem));
  next();
};

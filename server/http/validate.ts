// Small input helpers shared by routers: path ids and escaped search text.
import { z } from 'zod';
import { notFound } from '../errors.ts';
import { stringError } from '../../shared/schemas.ts';

const OBJECT_ID = /^[0-9a-f]{24}$/i;

/** A path id that is not an ObjectId names no record: 404 rather than a database cast error. */
export function pathId(value: unknown, message = '资源不存在'): string {
  if (typeof value !== 'string' || !OBJECT_ID.test(value)) throw notFound(message);
  return value;
}

/** An ObjectId in a body or query string; malformed values fail validation (400). */
export const objectIdSchema = z
  .string({ error: stringError('编号') })
  .regex(OBJECT_ID, { error: '编号格式无效' });

/** Escapes user text for use inside a RegExp (search boxes). */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

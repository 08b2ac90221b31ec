// Small input helpers shared by routers: path ids, single-valued query strings and escaped search text.
import { z } from 'zod';
import { AppError, notFound } from '../errors.ts';
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

/**
 * A list's query string with one text value per parameter. A repeated parameter (`state=a&state=b`) or a
 * bracketed one (`state[]=a`, `state[x]=1`, which the query parser keeps as an unknown key `state[]`) would
 * otherwise be refused with a type error or, worse, dropped by the schema, answering an unfiltered list.
 */
export function singleValuedQuery(query: Record<string, unknown>): Record<string, string> {
  for (const [key, value] of Object.entries(query)) {
    const name = key.split('[')[0] || key;
    if (key.includes('[') || (typeof value === 'object' && value !== null && !Array.isArray(value))) {
      throw new AppError(
        'invalid_query',
        400,
        `查询参数 ${key} 格式无效：应写成 ${name}=取值，多个取值用英文逗号分隔`,
        { field: name },
      );
    }
    if (typeof value !== 'string') {
      throw new AppError(
        'invalid_query',
        400,
        `查询参数 ${key} 只能出现一次：多个取值请用英文逗号分隔，如 ${key}=a,b`,
        { field: name },
      );
    }
  }
  return query as Record<string, string>;
}

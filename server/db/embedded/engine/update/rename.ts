/**
 * $rename: moves a value to a new path. Kept apart because it touches two paths and, unlike the other
 * operators, refuses any path that crosses an array (MongoDB does too).
 */
import type { Document } from 'bson';
import { ErrorCodes, MongoError } from '../../errors.ts';
import { getAt, setAt, unsetAt } from './target.ts';

function crossesArray(doc: Document, parts: string[]): boolean {
  for (let i = 1; i <= parts.length; i++) if (Array.isArray(getAt(doc, parts.slice(0, i - 1)))) return true;
  return false;
}

/** Moves the value; the paths themselves were checked with the update (arguments.ts checkRename). */
export function renameOp(doc: Document, from: string, to: string): void {
  const src = from.split('.');
  const dst = to.split('.');
  if (crossesArray(doc, src) || crossesArray(doc, dst)) {
    throw new MongoError(
      ErrorCodes.BadValue,
      `The source or target field for $rename must not be on an array path: ${from} -> ${to}`,
    );
  }
  const value = getAt(doc, src);
  if (value === undefined) return;
  unsetAt(doc, src);
  setAt(doc, dst, value);
}

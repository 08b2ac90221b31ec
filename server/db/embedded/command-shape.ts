/**
 * What the slow-command and slow-cursor logs say about a command, like mongod's: the namespace and, for a query,
 * the shape of its filter and sort (field names only: values can be personal data), an aggregation's stages,
 * and how many documents a write carried.
 */
import type { Document } from 'bson';

/** A command, or a cursor's batches in all, taking this long is logged (mongod's slowms default). */
export const SLOW_MS = 100;

export function commandShape(cmd: Document, name: string): Record<string, unknown> {
  const collection = name.toLowerCase() === 'getmore' ? cmd.collection : cmd[name];
  const detail: Record<string, unknown> = { ns: typeof collection === 'string' ? collection : undefined };
  const filter = cmd.filter ?? cmd.query;
  if (filter && typeof filter === 'object') detail.filter = Object.keys(filter as object);
  if (cmd.sort && typeof cmd.sort === 'object') detail.sort = Object.keys(cmd.sort as object);
  if (Array.isArray(cmd.pipeline)) detail.stages = cmd.pipeline.map((st: object) => Object.keys(st)[0]);
  for (const list of ['documents', 'updates', 'deletes'] as const)
    if (Array.isArray(cmd[list])) detail[list] = cmd[list].length;
  return detail;
}

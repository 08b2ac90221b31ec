/**
 * The positional `$`: which element of an array the query matched. MongoDB remembers it while matching; we
 * recompute it by testing the query's conditions on that array against each element in turn.
 */
import type { Document } from 'bson';
import { conditionsByPath } from './bounds.ts';
import { compileFilter } from './matcher.ts';
import { getPath, setPathCreating } from './paths.ts';

/** Returns a function giving, for a document and an array path, the first matching element's index or -1. */
export function positionalResolver(
  filter: Document | undefined,
): (doc: Document, arrayPath: string) => number {
  // Read when a `$` path first asks: most updates have none, and every statement makes a resolver.
  let conds: Map<string, unknown[]> | undefined;
  return (doc, arrayPath) => {
    conds ??= filter ? conditionsByPath(filter) : new Map<string, unknown[]>();
    const related: Document[] = [];
    for (const [path, list] of conds) {
      if (path === arrayPath || path.startsWith(arrayPath + '.'))
        for (const c of list) related.push({ [path]: c });
    }
    const arr = getPath(doc, arrayPath);
    if (related.length === 0 || !Array.isArray(arr)) return -1;
    const preds = related.map((f) => compileFilter(f));
    for (let i = 0; i < arr.length; i++) {
      const probe: Document = {};
      setPathCreating(probe, arrayPath, [arr[i]]);
      if (preds.every((p) => p(probe))) return i;
    }
    return -1;
  };
}

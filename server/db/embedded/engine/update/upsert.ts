/**
 * The document an upsert inserts: equality fields of the query (dotted paths become nested objects, `$and`
 * branches count), then the update applied as an insert so $setOnInsert takes effect, then a fresh _id.
 */
import { ObjectId, type Document } from 'bson';
import { MongoError } from '../../errors.ts';
import { conditionsByPath } from '../bounds.ts';
import { getPath, setPathCreating } from '../paths.ts';
import { canonicalize, cloneValue, isPlainObject } from '../values.ts';
import { applyUpdate, updateKind, type ApplyOptions } from './apply.ts';

function equalityValue(cond: unknown): { value: unknown } | undefined {
  if (isPlainObject(cond)) {
    const keys = Object.keys(cond);
    if (keys.length > 0 && keys[0].startsWith('$')) {
      return keys.length === 1 && keys[0] === '$eq' ? { value: cond.$eq } : undefined;
    }
  }
  if (cond instanceof RegExp) return undefined;
  return { value: cond };
}

/** Builds the seed document from the query's equality conditions. */
export function seedFromQuery(filter: Document | undefined): Document {
  const seed: Document = {};
  if (!filter) return seed;
  const paths: string[] = [];
  for (const [path, conds] of conditionsByPath(filter)) {
    for (const c of conds) {
      const eq = equalityValue(c);
      if (!eq) continue;
      if (paths.some((p) => p === path || p.startsWith(path + '.') || path.startsWith(p + '.'))) {
        if (paths.includes(path)) continue;
        throw new MongoError(54, `cannot infer query fields to set, path '${path}' is matched twice`);
      }
      paths.push(path);
      setPathCreating(seed, path, canonicalize(cloneValue(eq.value)));
    }
  }
  return seed;
}

/** The full document an upsert inserts. */
export function buildUpsertDoc(
  filter: Document | undefined,
  update: Document | Document[],
  opts: ApplyOptions,
): Document {
  const kind = updateKind(update);
  let doc: Document;
  if (kind === 'replacement') {
    const seedId = getPath(seedFromQuery(filter), '_id');
    doc = applyUpdate(seedId === undefined ? {} : { _id: seedId }, update, { ...opts, isInsert: true });
  } else {
    doc = applyUpdate(seedFromQuery(filter), update, { ...opts, isInsert: true });
  }
  if (doc._id === undefined) doc = { _id: new ObjectId(), ...doc };
  return doc;
}

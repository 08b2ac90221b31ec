/**
 * Accumulators where mingo differs from MongoDB: `$push` and `$addToSet` skip documents whose value is
 * missing (mingo records null for them); `$addToSet` dedupes with BSON equality (5 and 5.0 are one value);
 * `$min` / `$max` use the BSON order across types and ignore null and missing.
 */
import { evalExpr } from 'mingo/core';
import { compareValues, valueKey } from './compare.ts';

type Options = { constructor: { init(o: unknown): { update(locals: object): unknown } } };

function pushValues(coll: unknown[], expr: unknown, options: Options): unknown[] {
  if (expr === null || expr === undefined) return coll;
  const copts = options.constructor.init(options);
  const out: unknown[] = [];
  for (const root of coll) {
    const v = evalExpr(root as object, expr as any, copts.update({ root }) as any);
    if (v !== undefined) out.push(v);
  }
  return out;
}

function extreme(coll: unknown[], expr: unknown, options: Options, sign: 1 | -1): unknown {
  let best: unknown = null;
  for (const v of pushValues(coll, expr, options)) {
    if (v === null) continue;
    if (best === null || compareValues(v, best) * sign > 0) best = v;
  }
  return best;
}

export const accumulators = {
  $max: (coll: unknown[], expr: unknown, options: Options) => extreme(coll, expr, options, 1),
  $min: (coll: unknown[], expr: unknown, options: Options) => extreme(coll, expr, options, -1),
  $push: (coll: unknown[], expr: unknown, options: Options) => pushValues(coll, expr, options),
  $addToSet: (coll: unknown[], expr: unknown, options: Options) => {
    const seen = new Map<string, unknown>();
    for (const v of pushValues(coll, expr, options)) {
      const k = valueKey(v);
      if (!seen.has(k)) seen.set(k, v);
    }
    return [...seen.values()];
  },
};

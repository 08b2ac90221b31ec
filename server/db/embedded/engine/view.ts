/**
 * The bridge to mingo's expression engine ($expr, aggregation, computed projections). mingo computes on JS
 * numbers, so numeric wrappers become numbers on the way in and numbers become Int32/Double on the way out.
 * Values a JS number cannot hold exactly (Decimal128, Long beyond 2^53) are refused rather than rounded.
 */
import type { Document, Long } from 'bson';
import { notSupported } from '../errors.ts';
import { bsonTypeOf, isPlainObject, wrapNumber } from './values.ts';

/**
 * Top-level fields an expression or pipeline *computes with* (`$field` paths, $lookup join fields); `null`
 * when it may read the whole document ($$ROOT). Field names used as keys ($match, $sort, inclusion
 * $project) are not listed: matching and sorting are BSON-aware, and copying a value needs no conversion.
 */
export function referencedFields(spec: unknown, out: Set<string> = new Set()): Set<string> | null {
  if (typeof spec === 'string') {
    if (spec.startsWith('$$ROOT') || spec.startsWith('$$CURRENT')) return null;
    if (spec.startsWith('$') && !spec.startsWith('$$')) out.add(spec.slice(1).split('.')[0]);
    return out;
  }
  if (Array.isArray(spec)) {
    for (const x of spec) if (referencedFields(x, out) === null) return null;
    return out;
  }
  if (isPlainObject(spec)) {
    for (const k of Object.keys(spec)) {
      const v = spec[k];
      if (JOIN_FIELDS.has(k) && typeof v === 'string') out.add(v.split('.')[0]);
      if (referencedFields(v, out) === null) return null;
    }
  }
  return out;
}

/** $lookup / $graphLookup options naming fields whose values mingo hashes for the join. */
const JOIN_FIELDS = new Set(['localField', 'foreignField', 'connectFromField', 'connectToField']);

function convert(v: any): any {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(convert);
  if (isPlainObject(v)) {
    const out: Document = {};
    for (const k of Object.keys(v)) out[k] = convert(v[k]);
    return out;
  }
  switch (bsonTypeOf(v)) {
    case 'Int32':
    case 'Double':
      return v.value;
    case 'Long': {
      const l = v as Long;
      if (l.high >= -0x200000 && l.high < 0x200000) return l.toNumber();
      throw notSupported('Expressions over Long values beyond 2^53');
    }
    case 'Decimal128':
      throw notSupported('Expressions and aggregation over Decimal128 values');
  }
  return v;
}

/**
 * Converts a document for mingo. Fields in `refs` (all when null) are converted and must convert exactly or
 * the call throws; the others are not read by the expression, so they pass through untouched, exact types
 * included.
 */
export function toView(doc: any, refs: Set<string> | null = null): any {
  if (!isPlainObject(doc)) return convert(doc);
  const out: Document = {};
  for (const k of Object.keys(doc)) out[k] = refs === null || refs.has(k) ? convert(doc[k]) : doc[k];
  return out;
}

export function fromView(v: any): any {
  if (typeof v === 'number') return wrapNumber(v);
  if (v === undefined) return null;
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(fromView);
  if (isPlainObject(v)) {
    const out: Document = {};
    for (const k of Object.keys(v)) if (v[k] !== undefined) out[k] = fromView(v[k]);
    return out;
  }
  return v;
}

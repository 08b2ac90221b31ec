/**
 * Operator updates that name only top-level fields, applied to the stored BSON instead of to a decoded copy:
 * only the named fields are decoded, changed by the same operators (operators.ts) and re-encoded, every other
 * element is copied as its bytes, and a `$push` of new elements to an existing array appends their encoding
 * without decoding the array. An issue's timeline is most of its bytes and every lifecycle write (a person's
 * action, each escalation the sweep fires) pushes to it, so decoding, copying, comparing and re-encoding whole
 * documents was most of the update path's cost. The bytes are the same as `encodeDoc(applyUpdate(...))` gives
 * (test/db/engine/update-patch.test.ts checks it on random documents and updates); fields the update does
 * not name keep their stored bytes exactly.
 */
import { BSON, type Document } from 'bson';
import {
  asBuffer,
  countElements,
  elementEnd,
  FieldSet,
  forEachElement,
  locateFields,
  readFields,
  type ElementSpan,
} from '../bson-raw.ts';
import { canonicalize, isPlainObject } from '../values.ts';
import { identical } from './apply.ts';
import { OPERATORS, type OpEnv } from './operators.ts';

const SERIALIZE = { ignoreUndefined: true } as const;
const ARRAY = 0x04;
const SURROGATE = /[\uD800-\uDFFF]/;

interface Step {
  op: string;
  name: string;
  arg: unknown;
  /** A `$push` of these elements with no `$position`, `$sort` or `$slice`: appendable on the bytes. */
  append?: unknown[];
}

/** A validated operator update whose every path is a top-level field other than `_id`. */
export interface TopLevelUpdate {
  /** In field-name order, the order MongoDB applies them in. */
  steps: Step[];
  /** Every field the update names (`names.names`: the top-level fields it may change). */
  names: FieldSet;
  /** The fields decoded when every `$push` target is an array (all but the appended ones). */
  decoded: FieldSet;
}

/**
 * FieldSets by their names: a command's statements name the same fields over and over (a bulk of the same
 * write to many documents), and building one encodes every name. Bounded: cleared when it fills up.
 */
const fieldSets = new Map<string, FieldSet>();
const MAX_FIELD_SETS = 1000;

export function fieldSetOf(names: readonly string[]): FieldSet {
  const key = names.join('\0');
  let set = fieldSets.get(key);
  if (!set) {
    if (fieldSets.size >= MAX_FIELD_SETS) fieldSets.clear();
    set = new FieldSet(names);
    fieldSets.set(key, set);
  }
  return set;
}

function appendable(arg: unknown): unknown[] | undefined {
  if (!isPlainObject(arg) || !('$each' in arg)) return [canonicalize(arg)];
  if (Object.keys(arg).length !== 1 || !Array.isArray(arg.$each)) return undefined;
  return canonicalize(arg.$each) as unknown[];
}

/**
 * The update as top-level steps, or undefined when it needs the general path: a replacement or pipeline, a
 * dotted or positional path, `_id`, `$rename` (it moves a value between two fields). Call after
 * `validateUpdate`: this only classifies.
 */
export function topLevelUpdate(update: Document | Document[]): TopLevelUpdate | undefined {
  if (Array.isArray(update) || !isPlainObject(update)) return undefined;
  const steps: Step[] = [];
  for (const op of Object.keys(update)) {
    const args = update[op];
    if (!OPERATORS[op] || !isPlainObject(args)) return undefined;
    for (const name of Object.keys(args)) {
      if (name === '_id' || name === '' || name.includes('.') || name.startsWith('$')) return undefined;
      // Names are matched as UTF-8 bytes; a lone surrogate has none that round-trip.
      if (SURROGATE.test(name)) return undefined;
      steps.push({ op, name, arg: args[name], append: op === '$push' ? appendable(args[name]) : undefined });
    }
  }
  if (steps.length === 0) return undefined;
  sortByName(steps);
  const names: string[] = [];
  const decoded: string[] = [];
  for (const s of steps) {
    names.push(s.name);
    if (!s.append) decoded.push(s.name);
  }
  return { steps, names: fieldSetOf(names), decoded: fieldSetOf(decoded) };
}

/**
 * Sorts the steps by name in place. `sort` copies the list first (4 KB an issue under staff intake, whose
 * updates mix operators); an insertion sort of a few steps allocates nothing. A long list, out of order
 * throughout, would take it quadratic time, so that goes to `sort`.
 */
function sortByName(steps: Step[]): void {
  if (steps.length > 32) {
    steps.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return;
  }
  for (let i = 1; i < steps.length; i++) {
    const step = steps[i];
    let j = i;
    for (; j > 0 && steps[j - 1].name > step.name; j--) steps[j] = steps[j - 1];
    steps[j] = step;
  }
}

/** The elements of `encoded` (BSON.serialize of `doc`), by `doc`'s keys: serialize writes them in key order. */
function elementsOf(doc: Document, encoded: Buffer): Map<string, Buffer> {
  const names = Object.keys(doc);
  const out = new Map<string, Buffer>();
  forEachElement(encoded, (_nameAt, _nameLength, start, end) => {
    out.set(names[out.size], encoded.subarray(start, end));
  });
  return out;
}

/** Pieces of a document being assembled, and their total length. */
class Pieces {
  readonly list: Buffer[] = [];
  bytes = 0;

  add(piece: Buffer): void {
    this.list.push(piece);
    this.bytes += piece.length;
  }
}

const TERMINATOR = Buffer.from([0]);

/**
 * The array element at `stored[span)` with `items` encoded after its elements, as pieces: the stored elements
 * are not copied here (only into the result), and only the element's header is rewritten for its new size.
 */
function appendTo(stored: Buffer, span: ElementSpan, items: unknown[], out: Pieces): void {
  const count = countElements(stored, span.valueAt);
  const more: Document = {};
  for (let i = 0; i < items.length; i++) more[String(count + i)] = items[i];
  const encoded = asBuffer(BSON.serialize(more, SERIALIZE));
  const added = encoded.subarray(4, encoded.length - 1);
  const header = Buffer.from(stored.subarray(span.start, span.valueAt + 4));
  header.writeInt32LE(span.end - span.valueAt + added.length, span.valueAt - span.start);
  out.add(header);
  out.add(stored.subarray(span.valueAt + 4, span.end - 1));
  out.add(added);
  out.add(TERMINATOR);
}

/** Reused for every result: the caller copies it into the document store before the next update runs. */
let scratch = Buffer.allocUnsafeSlow(64 * 1024);

function assemble(pieces: Pieces): Buffer {
  const total = pieces.bytes + 5;
  if (scratch.length < total) scratch = Buffer.allocUnsafeSlow(Math.max(total, scratch.length * 2));
  scratch.writeInt32LE(total, 0);
  let at = 4;
  for (const piece of pieces.list) at += piece.copy(scratch, at);
  scratch[at] = 0;
  return scratch.subarray(0, total);
}

/**
 * The stored document `bytes` with the update applied, or undefined when it changes nothing (same values,
 * types and field order). Throws what the operators throw (e.g. `$inc` on a string). The result lives in a
 * buffer the next call reuses: store (copy) it before patching again.
 */
export function patchTopLevel(bytes: Uint8Array, update: TopLevelUpdate, env: OpEnv): Buffer | undefined {
  const stored = asBuffer(bytes);
  const spans = locateFields(stored, update.names);
  // A $push onto an array appends bytes; onto a missing field or anything else it goes through the operator
  // (which creates the array, or refuses a non-array with MongoDB's error).
  const general: Step[] = [];
  const appends: Step[] = [];
  for (const s of update.steps) {
    if (s.append !== undefined && spans.get(s.name)?.type === ARRAY) appends.push(s);
    else general.push(s);
  }
  const fields = general.every((s) => s.append === undefined)
    ? update.decoded
    : fieldSetOf(general.map((s) => s.name));
  const values = general.length ? readFields(stored, fields) : {};
  const before: Document = { ...values };
  for (const s of general) OPERATORS[s.op](values, [s.name], s.arg, env);

  let changed = appends.some((s) => s.append!.length > 0);
  for (let i = 0; i < general.length && !changed; i++) {
    const name = general[i].name;
    const had = Object.hasOwn(before, name);
    if (had !== Object.hasOwn(values, name) || (had && !identical(before[name], values[name])))
      changed = true;
  }
  if (!changed) return undefined;

  const present: Document = {};
  // A stored `undefined` (deprecated type) left as it was is dropped, as encoding the decoded document drops it.
  for (const s of general) if (values[s.name] !== undefined) present[s.name] = values[s.name];
  const encoded = elementsOf(present, asBuffer(BSON.serialize(present, SERIALIZE)));
  const appended = new Map<string, Step>();
  for (const s of appends) if (s.append!.length) appended.set(s.name, s);

  const out = new Pieces();
  const end = stored.readInt32LE(0) - 1;
  // The elements the update leaves as they are go in as one piece per run of them, not one each.
  let kept = 4;
  for (let p = 4; p < end;) {
    const nameEnd = stored.indexOf(0, p + 1);
    const name = update.names.match(stored, p + 1, nameEnd - p - 1);
    const span = name === undefined ? undefined : spans.get(name);
    const next = span?.start === p ? span.end : elementEnd(stored, p, nameEnd);
    // A `$push` of nothing leaves its array as it is.
    const rewritten = span?.start === p && (appended.has(name!) || !appends.some((s) => s.name === name));
    if (rewritten) {
      if (kept < p) out.add(stored.subarray(kept, p));
      kept = next;
      if (appended.has(name!)) appendTo(stored, span, appended.get(name!)!.append!, out);
      else if (encoded.has(name!)) out.add(encoded.get(name!)!);
    }
    p = next;
  }
  if (kept < end) out.add(stored.subarray(kept, end));
  // New fields go last, in field-name order, as MongoDB adds them.
  for (const s of general) {
    const piece = encoded.get(s.name);
    if (piece && !spans.has(s.name)) out.add(piece);
  }
  return assemble(out);
}

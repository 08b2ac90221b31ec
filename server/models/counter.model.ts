// Named sequences (e.g. `issue:2026`) for human-readable numbers. An upserting `$inc` makes the sequence
// atomic across server processes without a lock or a read-modify-write race. It runs once per issue taken
// in, so it goes straight to the driver's collection (the document is two fields and needs no casting), and
// the numbers asked for at the same time share one `$inc` by their count (server/db/coalesce.ts).
import type { Collection } from 'mongodb';
import { Schema, type Connection, type Model } from 'mongoose';
import { coalesce, coalescerFor } from '../db/coalesce.ts';

export interface CounterDoc {
  /** The sequence name, e.g. `issue:2026`. */
  _id: string;
  seq: number;
}

export type CounterModel = Model<CounterDoc>;

export function defineCounterModel(conn: Connection): CounterModel {
  const schema = new Schema<CounterDoc>(
    { _id: { type: String, required: true }, seq: { type: Number, required: true, default: 0 } },
    { collection: 'counters', versionKey: false },
  );
  return conn.model<CounterDoc>('Counter', schema);
}

async function reserve(counters: Collection<CounterDoc>, name: string, n: number): Promise<number> {
  const doc = await counters.findOneAndUpdate(
    { _id: name },
    { $inc: { seq: n } },
    { upsert: true, returnDocument: 'after', projection: { seq: 1 } },
  );
  if (!doc) throw new Error(`counter ${name}: upsert returned nothing`);
  return doc.seq - n + 1;
}

type Next = (name: string) => Promise<number>;
const sequencers = new WeakMap<object, Next>();

/** The next value of a sequence (1 for a fresh one); concurrent calls share one `$inc`, in call order. */
export function nextSequence(Counter: CounterModel, name: string): Promise<number> {
  const counters = Counter.collection as unknown as Collection<CounterDoc>;
  const next = coalescerFor(sequencers, counters, () =>
    coalesce<string, number>(async (names) => {
      const counts = new Map<string, number>();
      for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
      const firsts = new Map<string, number>();
      await Promise.all(
        [...counts].map(async ([n, count]) => firsts.set(n, await reserve(counters, n, count))),
      );
      return names.map((n) => {
        const value = firsts.get(n) as number;
        firsts.set(n, value + 1);
        return { ok: true, value };
      });
    }),
  );
  return next(name);
}

// Named sequences (e.g. `issue:2026`) for human-readable numbers. One upserting `$inc` per number makes the
// sequence atomic across server processes without a lock or a read-modify-write race. It runs once per issue
// taken in, so it goes straight to the driver's collection: the document is two fields and needs no casting.
import type { Collection } from 'mongodb';
import { Schema, type Connection, type Model } from 'mongoose';

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

/** The next value of a sequence (1 for a fresh one). */
export async function nextSequence(Counter: CounterModel, name: string): Promise<number> {
  const counters = Counter.collection as unknown as Collection<CounterDoc>;
  const doc = await counters.findOneAndUpdate(
    { _id: name },
    { $inc: { seq: 1 } },
    { upsert: true, returnDocument: 'after', projection: { seq: 1 } },
  );
  if (!doc) throw new Error(`counter ${name}: upsert returned nothing`);
  return doc.seq;
}

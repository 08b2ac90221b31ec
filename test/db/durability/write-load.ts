/**
 * A concurrent write load that remembers exactly what the server acknowledged, and the checks that compare a
 * recovered database against it. Each writer has at most one write in flight, so for every document the
 * recovered value must lie between what was acknowledged and what was attempted, never elsewhere.
 */
import { expect } from 'chai';
import type { Collection, Document } from 'mongodb';

interface PairState {
  /** $inc {a: 1, b: 1} updates acknowledged / sent. */
  acked: number;
  attempted: number;
}

export class WriteLedger {
  /** Every _id this load writes starts with it, so several loads can share a collection. */
  constructor(readonly prefix: string) {}
  readonly insertsAcked = new Set<string>();
  readonly insertsAttempted = new Set<string>();
  readonly pairs = new Map<string, PairState>();
  readonly counters = new Map<string, PairState>();
  /** Why each writer stopped; after a kill these are connection errors, before it they are bugs. */
  readonly errors: string[] = [];
  acknowledged = 0;
}

export interface LoadHandle {
  ledger: WriteLedger;
  /** Resolves when every writer has stopped (they stop at their first error, e.g. the server dying). */
  stopped: Promise<void>;
  stop(): void;
}

export interface LoadTarget {
  items: Collection<Document>;
  counters: Collection<Document>;
}

export function startWriteLoad(target: LoadTarget, writers: number, prefix: string): LoadHandle {
  const ledger = new WriteLedger(prefix);
  let stopping = false;
  const loops = Array.from({ length: writers }, (_, w) =>
    writerLoop(target, w, ledger, () => stopping).catch((error: Error) => {
      ledger.errors.push(`writer ${w}: ${error.message}`);
    }),
  );
  return {
    ledger,
    stopped: Promise.all(loops).then(() => undefined),
    stop: () => {
      stopping = true;
    },
  };
}

async function writerLoop(target: LoadTarget, w: number, ledger: WriteLedger, stopping: () => boolean) {
  const { items, counters } = target;
  const counterId = `${ledger.prefix}counter:${w}`;
  const counter: PairState = { acked: 0, attempted: 0 };
  ledger.counters.set(counterId, counter);
  const mine: string[] = [];
  for (let i = 0; !stopping(); i++) {
    const id = `${ledger.prefix}w${w}:${i}`;
    ledger.insertsAttempted.add(id);
    await items.insertOne({
      _id: id as never,
      writer: `${ledger.prefix}${w}`,
      seq: i,
      a: 0,
      b: 0,
      note: 'x'.repeat(64),
    });
    ledger.insertsAcked.add(id);
    ledger.pairs.set(id, { acked: 0, attempted: 0 });
    ledger.acknowledged++;
    mine.push(id);

    // Both fields in one update: after any crash they must be equal.
    const target = mine[(i * 7919) % mine.length];
    const pair = ledger.pairs.get(target)!;
    pair.attempted++;
    await items.updateOne({ _id: target as never }, { $inc: { a: 1, b: 1 } });
    pair.acked++;
    ledger.acknowledged++;

    counter.attempted++;
    await counters.updateOne({ _id: counterId as never }, { $inc: { n: 1 } }, { upsert: true });
    counter.acked++;
    ledger.acknowledged++;
  }
}

/** Every acknowledged write is present; nothing is half-applied; nothing appears that was never sent. */
export async function verifyAgainstLedger(target: LoadTarget, ledger: WriteLedger): Promise<void> {
  const mine = (doc: Document): boolean => String(doc._id).startsWith(ledger.prefix);
  const docs = (await target.items.find({}).toArray()).filter(mine);
  const counterDocs = (await target.counters.find({}).toArray()).filter(mine);
  const byId = new Map(docs.map((doc) => [String(doc._id), doc]));
  for (const id of ledger.insertsAcked) {
    expect(byId.has(id), `acknowledged insert ${id} is missing`).to.equal(true);
  }
  for (const doc of docs) {
    const id = String(doc._id);
    expect(ledger.insertsAttempted.has(id), `document ${id} was never written`).to.equal(true);
    expect(doc.a, `half-applied update on ${id}: a=${doc.a} b=${doc.b}`).to.equal(doc.b);
    const pair = ledger.pairs.get(id) ?? { acked: 0, attempted: 0 };
    expect(doc.a, `document ${id} lost acknowledged $inc updates`).to.be.at.least(pair.acked);
    expect(doc.a, `document ${id} has more $inc than were sent`).to.be.at.most(pair.attempted);
  }
  for (const [id, counter] of ledger.counters) {
    const n = (counterDocs.find((doc) => String(doc._id) === id)?.n as number | undefined) ?? 0;
    expect(n, `counter ${id} lost acknowledged $inc updates`).to.be.at.least(counter.acked);
    expect(n, `counter ${id} has more $inc than were sent`).to.be.at.most(counter.attempted);
  }
}

// The inbox outcomes of intakes that arrive staggered (concurrency 8: each request at its own step) still share
// one bulk write: they gather for OUTCOME_GATHER_MS, not only for one turn of the event loop.
import { expect } from 'chai';
import { Types } from 'mongoose';
import { createInboxRecorder, OUTCOME_GATHER_MS } from '../../../server/intake/inbox-store.ts';
import type { Models } from '../../../server/models/index.ts';

function fakeModels(writes: unknown[][]): Models {
  const collection = {
    bulkWrite: async (ops: unknown[]) => {
      writes.push(ops);
      return {};
    },
  };
  return { InboxEntry: { collection } } as unknown as Models;
}

const outcome = () => ({
  issueId: new Types.ObjectId(),
  number: 'HZ-2026-000001',
  outcome: 'created' as const,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('inbox outcome recorder', () => {
  it('writes the outcomes recorded a few milliseconds apart in one bulk write', async () => {
    const writes: unknown[][] = [];
    const recorder = createInboxRecorder(fakeModels(writes));
    const now = new Date();
    for (let i = 0; i < 4; i++) {
      recorder.processed(new Types.ObjectId(), outcome(), now);
      await sleep(2); // another event-loop turn: each request finishes at its own moment
    }
    expect(writes, 'nothing written before the window closes').to.have.length(0);
    await sleep(OUTCOME_GATHER_MS + 20);
    expect(writes).to.have.length(1);
    expect(writes[0]).to.have.length(4);
  });

  it('flush writes what is gathered at once, and a later outcome starts a new window', async () => {
    const writes: unknown[][] = [];
    const recorder = createInboxRecorder(fakeModels(writes));
    const id = new Types.ObjectId();
    recorder.processed(id, outcome(), new Date());
    await recorder.flush();
    expect(writes).to.have.length(1);
    const op = writes[0][0] as { updateOne: { filter: object; update: { $set: { status: string } } } };
    expect(op.updateOne.filter).to.deep.equal({ _id: id, status: 'accepted' });
    expect(op.updateOne.update.$set.status).to.equal('processed');
    recorder.processed(new Types.ObjectId(), outcome(), new Date());
    await sleep(OUTCOME_GATHER_MS + 20);
    expect(writes).to.have.length(2);
  });
});

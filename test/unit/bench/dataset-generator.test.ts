// The benchmark data set generator (bench/lib/dataset): the same spec gives the same bytes, enterprises carry
// valid credit codes, numbers are unique and continue in the counters, the state mix is the documented one,
// every issue is exactly what the Issue schema stores (mongoose's own cast of it changes nothing), and carries
// the list search's terms as intake stores them.
import { expect } from 'chai';
import { isDeepStrictEqual } from 'node:util';
import { BSON } from 'bson';
import mongoose from 'mongoose';
import { isValidCreditCode } from '../../../shared/credit-code.ts';
import { ISSUE_STATES, TERMINAL_STATES } from '../../../shared/states.ts';
import { createModels } from '../../../server/models/index.ts';
import { searchTermsOf } from '../../../server/text/search-terms.ts';
import type { GenerationSummary } from '../../../bench/lib/dataset/generation-summary.ts';
import type { IssueSpec, RawIssue } from '../../../bench/lib/dataset/issue-generator.ts';
import { IssueStream } from '../../../bench/lib/dataset/issue-stream.ts';
import { createWorld } from '../../../bench/lib/dataset/world.ts';

const AS_OF = new Date('2026-11-30T02:00:00Z');
const worldSpec = { seed: 7, enterpriseCount: 300, createdAt: new Date('2023-12-01T00:00:00Z') };
const world = createWorld(worldSpec);

async function generate(spec: Partial<IssueSpec> = {}, workers = 0) {
  const stream = new IssueStream(
    { mode: 'history', issues: 3000, seed: 7, asOf: AS_OF, ...spec },
    worldSpec,
    { workers, world, segment: 1000 },
  );
  const docs: RawIssue[] = [];
  for (let b = await stream.batch(); b.length; b = await stream.batch()) docs.push(...b);
  await stream.close();
  return { docs, summary: stream.summary() };
}

describe('bench data set generator', function () {
  this.timeout(120_000);
  let docs: RawIssue[];
  let summary: GenerationSummary;
  before(async () => ({ docs, summary } = await generate()));

  it('is deterministic: the same spec and seed give the same BSON bytes, with or without worker threads', async () => {
    const again = (await generate({}, 2)).docs;
    expect(again).to.have.length(docs.length);
    for (let i = 0; i < docs.length; i += 37)
      expect(Buffer.compare(BSON.serialize(docs[i]), BSON.serialize(again[i]))).to.equal(0);
  });

  it('gives every enterprise a valid, unique credit code and QR token', () => {
    expect(world.enterprises.every((e) => isValidCreditCode(e.creditCode))).to.equal(true);
    expect(new Set(world.enterprises.map((e) => e.creditCode)).size).to.equal(world.enterprises.length);
    expect(new Set(world.enterprises.map((e) => e.qrToken)).size).to.equal(world.enterprises.length);
  });

  it('numbers issues uniquely per year, and the counters continue after them', () => {
    const numbers = docs.map((d) => d.number as string);
    expect(new Set(numbers).size).to.equal(docs.length);
    expect(numbers.every((n) => /^HZ-\d{4}-\d{6,}$/.test(n))).to.equal(true);
    for (const [year, seq] of Object.entries(summary.counters)) {
      const last = numbers
        .filter((n) => n.startsWith(`HZ-${year}-`))
        .sort()
        .pop();
      expect(last).to.equal(`HZ-${year}-${String(seq).padStart(6, '0')}`);
    }
  });

  it('mixes states as documented: ≈ 85 % closed, a few % rejected and merged, the rest open', () => {
    const share = (...states: string[]) => docs.filter((d) => states.includes(d.state)).length / docs.length;
    expect(share('closed')).to.be.within(0.78, 0.9);
    expect(share('rejected', 'merged')).to.be.within(0.02, 0.09);
    const open = ISSUE_STATES.filter((state) => !TERMINAL_STATES.includes(state));
    expect(share(...open)).to.be.within(0.05, 0.16);
    const lengths = docs.map((d) => d.timeline.length);
    expect(lengths.reduce((a, b) => a + b, 0) / lengths.length).to.be.within(5, 15);
  });

  it('stores every issue exactly as the Issue schema casts it', async () => {
    const models = createModels(mongoose.createConnection());
    for (const doc of docs.slice(0, 300)) {
      const issue = new models.Issue(doc);
      await issue.validate(); // throws on the first invalid field
      const stored = BSON.deserialize(BSON.serialize(doc));
      const cast = BSON.deserialize(BSON.serialize(issue.toObject()));
      expect(isDeepStrictEqual(stored, cast), String(doc.number)).to.equal(true);
    }
  });

  it('gives every issue the list search’s terms of its text, as intake stores them', () => {
    for (const d of docs) {
      const terms = searchTermsOf(String(d.title), String(d.content), String(d.enterpriseName));
      expect(d.searchTerms, String(d.number)).to.deep.equal(terms);
    }
    expect((docs[0].searchTerms as number[]).length).to.be.greaterThan(3);
  });

  it('leaves exactly the requested number of sweep issues due, all of them open', async () => {
    const sweep = (await generate({ mode: 'sweep', issues: 1200, due: 300 })).docs;
    const due = sweep.filter((d) => d.nextCheckAt && (d.nextCheckAt as Date) <= AS_OF);
    expect(due).to.have.length(300);
    expect(sweep.every((d) => !['closed', 'merged', 'rejected'].includes(d.state))).to.equal(true);
  });
});

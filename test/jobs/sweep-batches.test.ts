// The sweep working in batches (one claim insert, one bulk of issue writes and one ledger write per batch):
// in one pass over several batches, issues that race with a person are retried, issues whose steps another
// sweeper holds are left to it, and every other issue fires once; several sweepers over the same batches
// fire each step once in all; a bulk write the database fails as a whole loses nothing and fires nothing
// twice, whether or not it landed.
import { expect } from 'chai';
import { handlerOf, must, useIssueApp, type IssueTestApp } from '../api/issues/fixtures.ts';
import {
  BATCHES_IN_FLIGHT,
  DEFAULT_LEASE_MS,
  type SweepReport,
} from '../../server/jobs/escalation-sweep.job.ts';
import {
  beforeSweepWrites,
  china,
  firedFor,
  inProgress,
  minuteAfter,
  stored,
  sweep,
  systemActions,
} from './sweep-helpers.ts';

const START = china('2026-02-13 09:00');
const RED = china('2026-02-27 17:30');
const FOLLOW_UPS = ['urge', 'supervise', 'escalate', 'bulletin'];

async function issues(t: IssueTestApp, n: number, label: string) {
  t.clock.set(START);
  const made = [];
  for (let i = 1; i <= n; i++) made.push(await inProgress(t, `${label} ${i}`));
  return made;
}

/** A live claim of another sweeper, as if it were firing that step right now. */
async function heldElsewhere(t: IssueTestApp, id: string, step: 'urge' | 'supervise') {
  const d = (await stored(t, id)).deadlines!;
  await t.models.FollowUpClaim.create({
    issueId: id,
    step,
    dueAt: step === 'urge' ? d.yellowAt : d.redAt,
    status: 'claimed',
    owner: 'other-sweeper',
    claimedAt: t.clock.now(),
  });
}

describe('escalation sweep: a pass over several batches', () => {
  const t = useIssueApp();

  it('races are retried, held steps are left to their holder, everything else fires once', async () => {
    const made = await issues(t, 8, '分批处理的问题');
    const ids = made.map((m) => m.id);
    t.clock.set(minuteAfter(RED));
    await heldElsewhere(t, ids[2], 'urge');
    await heldElsewhere(t, ids[3], 'supervise');
    const restore = beforeSweepWrites(t, {
      [ids[0]]: () => must(t, handlerOf(made[0].code), ids[0], 'note', { text: '已联系企业', public: true }),
      [ids[1]]: () => must(t, 'supervisor', ids[1], 'urge', { note: '请尽快办理' }),
    });
    let report;
    try {
      report = await sweep(t, { batchSize: 4 });
    } finally {
      restore();
    }
    expect(report.conflicts).to.equal(2);
    expect(report.deferred).to.equal(2);
    expect(firedFor(report, ids[0])).to.deep.equal(['urge', 'supervise']);
    expect(firedFor(report, ids[1])).to.deep.equal(['supervise']);
    expect(firedFor(report, ids[2])).to.deep.equal([]);
    expect(firedFor(report, ids[3])).to.deep.equal(['urge']);
    for (const id of ids.slice(4)) expect(firedFor(report, id)).to.deep.equal(['urge', 'supervise']);
    // The person's note and urge stay; the system's urge made moot by the supervisor was given back.
    expect((await stored(t, ids[0])).timeline.some((e) => e.action === 'note')).to.equal(true);
    const urges = (await stored(t, ids[1])).timeline.filter((e) => e.action === 'urge');
    expect(urges.map((e) => e.actorRole)).to.deep.equal(['supervisor']);
    expect(await t.models.FollowUpClaim.countDocuments({ issueId: ids[1] })).to.equal(1);

    // While the other sweeper's lease runs, its steps stay its own; after, they are taken over, once.
    expect((await sweep(t)).fired).to.deep.equal([]);
    t.clock.advance(DEFAULT_LEASE_MS + 60_000);
    const later = await sweep(t, { batchSize: 4 });
    expect(firedFor(later, ids[2])).to.deep.equal(['urge', 'supervise']);
    expect(firedFor(later, ids[3])).to.deep.equal(['supervise']);
    expect(later.fired).to.have.length(3);
    for (const id of [ids[0], ...ids.slice(2)]) {
      expect(await systemActions(t, id)).to.deep.equal(['urge', 'supervise']);
    }
    expect(await systemActions(t, ids[1])).to.deep.equal(['supervise']);
    const claims = await t.models.FollowUpClaim.find({ issueId: { $in: ids } }).lean();
    expect(claims).to.have.length(15);
    expect(claims.every((c) => c.status === 'applied')).to.equal(true);
  });

  it('three sweepers at once over small batches after an outage: every step of every issue once', async () => {
    const ids = (await issues(t, 6, '多个清扫同时处理的问题')).map((m) => m.id);
    t.clock.set(china('2026-03-06 10:00'));
    const mine = (r: SweepReport) =>
      r.fired.filter((f) => ids.includes(f.issueId)).map((f) => `${f.issueId}:${f.step}`);
    const reports = await Promise.all([1, 2, 3].map(() => sweep(t, { batchSize: 2 })));
    const fired = reports.flatMap(mine);
    const expected = ids.flatMap((id) => FOLLOW_UPS.map((s) => `${id}:${s}`));
    // A step another sweeper held is left to a later pass; the passes that follow finish the rest.
    for (let i = 0; i < 3; i++) fired.push(...mine(await sweep(t)));
    expect([...fired].sort()).to.deep.equal([...expected].sort());
    for (const id of ids) expect(await systemActions(t, id)).to.deep.equal(FOLLOW_UPS);
    const applied = await t.models.FollowUpClaim.countDocuments({ issueId: { $in: ids }, status: 'applied' });
    expect(applied).to.equal(expected.length);
  });

  it('a pass stopped by its signal (shutdown) starts no further batch; the next pass fires the rest once', async () => {
    // More batches than are ever in flight at once, so a pass that went on after the stop would show.
    const batchSize = 2;
    const ids = (await issues(t, batchSize * (BATCHES_IN_FLIGHT + 2), '停机时中断的清扫')).map((m) => m.id);
    t.clock.set(minuteAfter(RED));
    const stopping = new AbortController();
    // The first batch's writes are under way when the stop comes.
    const onChange = () => stopping.abort();
    const first = await sweep(t, { batchSize, signal: stopping.signal, onChange });
    // The batch in flight, and at most the others started beside it before its write landed.
    expect(first.examined).to.be.within(batchSize, batchSize * BATCHES_IN_FLIGHT);
    expect(new Set(first.fired.map((f) => f.issueId)).size).to.equal(first.examined);
    expect(first.deferred).to.equal(0);
    const rest = await sweep(t);
    const firedIn = (r: SweepReport) => r.fired.filter((f) => ids.includes(f.issueId)).map((f) => f.issueId);
    expect([...firedIn(first), ...firedIn(rest)].sort()).to.deep.equal(
      ids.flatMap((id) => [id, id]).sort(), // urge and supervise, once each
    );
    for (const id of ids) expect(await systemActions(t, id)).to.deep.equal(['urge', 'supervise']);
  });
});

describe('escalation sweep: a bulk write the database fails as a whole', () => {
  const t = useIssueApp();

  /** One pass whose bulk write of issues fails as a whole; `land` says whether it reached the database. */
  async function sweepThroughFailedBulk(land: boolean) {
    type BulkWriter = { bulkWrite: (...args: unknown[]) => Promise<unknown> };
    // The sweep writes through the driver collection, or through the model when mongoose must cast the batch.
    const writers = [t.models.Issue, t.models.Issue.collection] as unknown as BulkWriter[];
    const originals = writers.map((w) => w.bulkWrite);
    const restore = () => writers.forEach((w, i) => (w.bulkWrite = originals[i]));
    writers.forEach((writer, i) => {
      writer.bulkWrite = async (...args: unknown[]) => {
        restore();
        if (land) await originals[i].apply(writer, args);
        throw new Error('connection reset');
      };
    });
    try {
      return await sweep(t);
    } finally {
      restore();
    }
  }

  it('that never landed: nothing fired, the claims given back, the next pass fires every issue', async () => {
    const ids = (await issues(t, 3, '整批写入失败的问题')).map((m) => m.id);
    t.clock.set(minuteAfter(RED));
    const report = await sweepThroughFailedBulk(false);
    expect(report).to.include({ failed: 3, deferred: 3 });
    expect(report.fired).to.deep.equal([]);
    expect(await t.models.FollowUpClaim.countDocuments({ issueId: { $in: ids } })).to.equal(0);
    const next = await sweep(t);
    for (const id of ids) expect(firedFor(next, id)).to.deep.equal(['urge', 'supervise']);
  });

  it('that landed before the reply was lost: found in the issues, recorded once, nothing fired again', async () => {
    const ids = (await issues(t, 3, '写入成功但应答丢失的问题')).map((m) => m.id);
    t.clock.set(minuteAfter(RED));
    const report = await sweepThroughFailedBulk(true);
    expect(report.failed).to.equal(0);
    for (const id of ids) expect(firedFor(report, id)).to.deep.equal(['urge', 'supervise']);
    const claims = await t.models.FollowUpClaim.find({ issueId: { $in: ids } }).lean();
    expect(claims.map((c) => c.status)).to.deep.equal(Array(6).fill('applied'));
    expect((await sweep(t)).fired).to.deep.equal([]);
    for (const id of ids) expect(await systemActions(t, id)).to.deep.equal(['urge', 'supervise']);
  });
});

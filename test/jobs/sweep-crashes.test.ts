// A sweeping process that dies between the phases of a batch (after claiming, after writing the issues,
// before settling the ledger): what it left in the database is picked up by the passes that follow, so
// every step fires exactly once and every claim ends `applied` or given back.
import { expect } from 'chai';
import { DEFAULT_LEASE_MS } from '../../server/jobs/escalation-sweep.job.ts';
import type { Models } from '../../server/models/index.ts';
import { useIssueApp, must, type IssueTestApp } from '../api/issues/fixtures.ts';
import {
  beforeSweepWrites,
  china,
  crashAt,
  inProgress,
  minuteAfter,
  sweep,
  systemActions,
} from './sweep-helpers.ts';

const RED = china('2026-02-27 17:30');
const BOTH = ['urge', 'supervise'];

async function dueIssues(t: IssueTestApp, label: string): Promise<string[]> {
  t.clock.set(china('2026-02-13 09:00'));
  const ids = [];
  for (const n of [1, 2, 3]) ids.push((await inProgress(t, `${label} ${n}`)).id);
  t.clock.set(minuteAfter(RED));
  return ids;
}

/** One pass in a process that dies at the given call (small batches: several are in flight when it dies). */
async function crashedPass(t: IssueTestApp, models: Models, batchSize = 500): Promise<void> {
  await sweep(t, { models, owner: 'crashed-sweeper', batchSize }).catch(() => undefined);
}

async function claimsOf(t: IssueTestApp, ids: string[]) {
  return t.models.FollowUpClaim.find({ issueId: { $in: ids } }).lean();
}

const firedOf = (r: { fired: { issueId: string; step: string }[] }, ids: string[]) =>
  r.fired.filter((f) => ids.includes(f.issueId));

describe('escalation sweep: a process dying between the phases of a batch', () => {
  const t = useIssueApp();

  it('after claiming: the claims wait out their lease, then the steps fire once', async () => {
    const ids = await dueIssues(t, '认领后崩溃的问题');
    await crashedPass(t, crashAt(t.models, 'FollowUpClaim', 'insertMany', 'after'));
    expect(await Promise.all(ids.map((id) => systemActions(t, id)))).to.deep.equal([[], [], []]);
    expect((await claimsOf(t, ids)).map((c) => c.status)).to.include('claimed');
    expect(firedOf(await sweep(t), ids)).to.deep.equal([]);
    t.clock.advance(DEFAULT_LEASE_MS + 60_000);
    expect(firedOf(await sweep(t), ids)).to.have.length(6);
    for (const id of ids) expect(await systemActions(t, id)).to.deep.equal(BOTH);
    const claims = await claimsOf(t, ids);
    expect(claims.map((c) => c.status)).to.deep.equal(Array(6).fill('applied'));
  });

  it('after writing the issues: the repair pass marks the claims applied, nothing fires twice', async () => {
    const ids = await dueIssues(t, '写入后崩溃的问题');
    await crashedPass(t, crashAt(t.models, 'Issue', 'bulkWrite', 'after'), 2);
    // Whichever batches' writes landed before the process was gone are complete in their issues.
    const before = await Promise.all(ids.map((id) => systemActions(t, id)));
    expect(before.every((a) => a.length === 0 || a.join() === BOTH.join())).to.equal(true);
    expect(before.some((a) => a.length)).to.equal(true);
    t.clock.advance(DEFAULT_LEASE_MS + 60_000);
    const report = await sweep(t);
    const unwritten = ids.filter((_, i) => before[i].length === 0);
    expect(firedOf(report, ids).map((f) => f.issueId)).to.have.members(unwritten.flatMap((id) => [id, id]));
    expect(report.repaired).to.be.at.least(2 * (ids.length - unwritten.length));
    for (const id of ids) expect(await systemActions(t, id)).to.deep.equal(BOTH);
    const claims = await claimsOf(t, ids);
    expect(claims.map((c) => c.status)).to.deep.equal(Array(6).fill('applied'));
    expect(firedOf(await sweep(t), ids)).to.deep.equal([]);
  });

  it('before settling the ledger: applied claims are repaired and a moot one is given back', async () => {
    const ids = await dueIssues(t, '记账前崩溃的问题');
    // A supervisor urges the first issue by hand just before the write: the system's urge becomes moot.
    const restore = beforeSweepWrites(t, {
      [ids[0]]: () => must(t, 'supervisor', ids[0], 'urge', { note: '请尽快办理' }),
    });
    try {
      await crashedPass(t, crashAt(t.models, 'FollowUpClaim', 'bulkWrite', 'before'));
    } finally {
      restore();
    }
    expect(await systemActions(t, ids[0])).to.deep.equal(['supervise']);
    for (const id of ids.slice(1)) expect(await systemActions(t, id)).to.deep.equal(BOTH);
    expect((await claimsOf(t, ids)).map((c) => c.status)).to.deep.equal(Array(6).fill('claimed'));
    t.clock.advance(DEFAULT_LEASE_MS + 60_000);
    const report = await sweep(t);
    expect(report.repaired).to.equal(6);
    expect(firedOf(report, ids)).to.deep.equal([]);
    expect(await systemActions(t, ids[0])).to.deep.equal(['supervise']);
    for (const id of ids.slice(1)) expect(await systemActions(t, id)).to.deep.equal(BOTH);
    const claims = await claimsOf(t, ids);
    expect(claims).to.have.length(5);
    expect(claims.every((c) => c.status === 'applied')).to.equal(true);
  });
});

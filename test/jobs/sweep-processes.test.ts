// Several server processes sweeping one database at the same instant (DESIGN §8): each follow-up of each
// issue fires exactly once in all, whichever process gets it.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { embeddedDb } from '../api/helpers.ts';
import { useIssueApp } from '../api/issues/fixtures.ts';
import { china, inProgress, systemActions } from './sweep-helpers.ts';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

async function sweeperProcess(uri: string, dbName: string, at: Date): Promise<string[]> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'test/jobs/sweep-process.ts', uri, dbName, at.toISOString(), '3'],
    { cwd: repoRoot, timeout: 60_000 },
  );
  return (JSON.parse(stdout.trim().split('\n').at(-1)!) as { fired: string[] }).fired;
}

describe('escalation sweep: several processes at once', () => {
  const t = useIssueApp();

  it('three processes × three passes after a long outage: every step of every issue once', async function () {
    this.timeout(120_000);
    t.clock.set(china('2026-02-13 09:00'));
    const ids: string[] = [];
    for (const n of [1, 2, 3, 4]) ids.push((await inProgress(t, `多进程问题 ${n}`)).id);
    const { uri } = await embeddedDb();
    const at = china('2026-03-06 10:00');
    const perProcess = await Promise.all([1, 2, 3].map(() => sweeperProcess(uri, t.conn.name, at)));
    const fired = perProcess.flat();
    const expected = ids.flatMap((id) =>
      ['urge', 'supervise', 'escalate', 'bulletin'].map((s) => `${id}:${s}`),
    );
    expect([...fired].sort()).to.deep.equal([...expected].sort());
    for (const id of ids) {
      expect(await systemActions(t, id)).to.deep.equal(['urge', 'supervise', 'escalate', 'bulletin']);
    }
    expect(await t.models.FollowUpClaim.countDocuments({ status: 'applied' })).to.equal(expected.length);
  });
});

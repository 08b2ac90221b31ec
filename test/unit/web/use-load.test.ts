// useLoad's order (web/src/lib/last-asked.ts): the load asked for last lands last, however slowly an earlier one
// answers (a leader clicking 本年 then 本月 must see the month), and loads replaced while waiting do not run.
import { expect } from 'chai';
import { lastAskedRunsLast } from '../../../web/src/lib/last-asked.ts';

/** A fetch whose answers the test releases by hand, in any order. */
function controlledFetch() {
  const shown: string[] = [];
  const started: string[] = [];
  const waiting = new Map<string, () => void>();
  const fetch = (period: string) =>
    new Promise<boolean>((resolve) => {
      started.push(period);
      waiting.set(period, () => {
        shown.push(period);
        resolve(true);
      });
    });
  const running = async (period: string) => {
    while (!waiting.has(period)) await new Promise((r) => setImmediate(r));
  };
  const release = async (period: string) => {
    await running(period);
    waiting.get(period)!();
  };
  return { fetch, shown, started, running, release };
}

describe('web: loads, the last asked for last (useLoad)', () => {
  it('shows the period asked for last, though the one before it answers later', async () => {
    const f = controlledFetch();
    const load = lastAskedRunsLast(f.fetch);
    const year = load('本年');
    await f.running('本年');
    const month = load('本月');
    // The month's answer is ready first (as soon as it may run), the year's after it.
    const monthAnswered = f.release('本月');
    await new Promise((r) => setImmediate(r));
    await f.release('本年');
    await Promise.all([monthAnswered, year, month]);
    expect(f.shown).to.deep.equal(['本年', '本月']);
  });

  it('skips a load replaced before it started: only the running one and the last one run', async () => {
    const f = controlledFetch();
    const load = lastAskedRunsLast(f.fetch);
    const year = load('本年');
    await f.running('本年');
    const runs = [year, load('本季度'), load('本月')];
    await f.release('本年');
    await f.release('本月');
    expect(await Promise.all(runs)).to.deep.equal([true, true, true]);
    expect(f.started).to.deep.equal(['本年', '本月']);
    expect(f.shown).to.deep.equal(['本年', '本月']);
  });
});

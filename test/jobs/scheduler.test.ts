// The sweep's scheduler: passes never overlap within a process (a second request waits for the one in flight
// and several waiting requests share one pass), stopping waits for the pass in flight, and with DEMO_CLOCK=1
// moving the demo clock sweeps before the response, so the next read already shows the new light.
import { expect } from 'chai';
import { pino } from 'pino';
import request from 'supertest';
import { createApp } from '../../server/app.ts';
import { BATCHES_IN_FLIGHT } from '../../server/jobs/escalation-sweep.job.ts';
import { createMinuteJob } from '../../server/jobs/minute-job.ts';
import { followAtOnce } from '../../server/jobs/kpi-rollup.job.ts';
import { createSweepScheduler, type SweepScheduler } from '../../server/jobs/scheduler.ts';
import { testConfig } from '../api/helpers.ts';
import { useIssueApp } from '../api/issues/fixtures.ts';
import { calendar, china, firedFor, inProgress, policy, silent, stored } from './sweep-helpers.ts';

describe('escalation sweep scheduler', () => {
  const t = useIssueApp();
  let scheduler: SweepScheduler;

  beforeEach(() => {
    scheduler = createSweepScheduler({ models: t.models, clock: t.clock, calendar, policy, logger: silent });
  });
  afterEach(() => scheduler.stop());

  it('runs one pass at a time; requests made meanwhile share the next pass', async () => {
    t.clock.set(china('2026-02-13 09:00'));
    const { id } = await inProgress(t);
    t.clock.set(china('2026-03-06 10:00'));
    const first = scheduler.runNow();
    const second = scheduler.runNow();
    const third = scheduler.runNow();
    expect(second).to.equal(third);
    const [a, b] = await Promise.all([first, second]);
    expect(firedFor(a!, id)).to.deep.equal(['urge', 'supervise', 'escalate', 'bulletin']);
    expect(firedFor(b!, id)).to.deep.equal([]);
  });

  it('start and stop: stop waits for the pass in flight, and nothing runs afterwards', async () => {
    scheduler.start();
    const pending = scheduler.runNow();
    await scheduler.stop();
    expect(await pending).to.not.equal(null);
    expect(await scheduler.runNow()).to.equal(null);
  });

  it('stop ends a long pass after the batches in flight (a shutdown does not wait for a catch-up)', async () => {
    t.clock.set(china('2026-02-13 09:00'));
    // More batches than are ever in flight at once, so a pass that went on after the stop would show.
    const batchSize = 2;
    const total = batchSize * (BATCHES_IN_FLIGHT + 2);
    for (let i = 0; i < total; i++) await inProgress(t, `停机前的追赶清扫 ${i}`);
    t.clock.set(china('2026-03-06 10:00'));
    let stopped: Promise<void> | undefined;
    const long = createSweepScheduler({
      models: t.models,
      clock: t.clock,
      calendar,
      policy,
      logger: silent,
      batchSize,
      onChange: () => void (stopped ??= long.stop()),
    });
    const report = await long.runNow();
    await stopped;
    expect(report!.examined).to.be.within(batchSize, batchSize * BATCHES_IN_FLIGHT);
    expect(await scheduler.runNow().then((r) => r!.examined)).to.equal(total - report!.examined);
  });

  it('POST /api/dev/clock sweeps at the new time before answering', async () => {
    const app = createApp({
      config: testConfig({ DEMO_CLOCK: '1' }),
      conn: t.conn,
      clock: t.clock,
      logger: pino({ level: 'silent' }),
      models: t.models,
      simulatedClock: t.clock,
      afterClockAdvance: () => scheduler.runNow(),
    });
    t.clock.set(china('2026-02-13 09:00'));
    const { id } = await inProgress(t, '演示时钟拨动后亮灯');
    const login = await request(app)
      .post('/api/auth/login')
      .send({ username: 'admin', password: 'demo1234' })
      .expect(200);
    const advanceMs = china('2026-02-26 18:00').getTime() - t.clock.now().getTime();
    await request(app)
      .post('/api/dev/clock')
      .set({ Authorization: `Bearer ${login.body.token}` })
      .send({ advanceMs })
      .expect(200);
    const doc = await stored(t, id);
    expect(doc).to.include({ warning: 'yellow', urged: true });
    expect(doc.timeline.at(-1)).to.include({ action: 'urge', actorRole: 'system' });
  });
});

describe('minute job', () => {
  it('stop aborts the signal of the pass in flight and waits for it; nothing runs afterwards', async () => {
    let steps = 0;
    const job = createMinuteJob({
      name: 'a long job',
      logger: silent as never,
      run: async (signal) => {
        while (!signal.aborted) {
          steps += 1;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        return steps;
      },
    });
    const pass = job.runNow();
    await new Promise((resolve) => setTimeout(resolve, 30));
    await job.stop();
    expect(await pass).to.equal(steps);
    expect(steps).to.be.greaterThan(0);
    expect(await job.runNow()).to.equal(null);
  });

  it('follows a pass at once when `again` says so, and stops following once the job stops', async () => {
    const passes: number[] = [];
    const job = createMinuteJob({
      name: 'a catching-up job',
      logger: silent as never,
      run: async () => {
        passes.push(passes.length + 1);
        return passes.length;
      },
      again: (n) => n < 3, // the first two passes were long
    });
    expect(await job.runNow()).to.equal(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(passes).to.deep.equal([1, 2, 3]); // the third said no
    const quiet = createMinuteJob({
      name: 'a job told to follow',
      logger: silent as never,
      run: async () => passes.push(0),
      again: () => true,
    });
    const first = quiet.runNow();
    await quiet.stop();
    await first;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(passes.filter((p) => p === 0)).to.have.length(1);
  });

  it('the KPI job follows only a completed pass longer than the minute tick', () => {
    const report = (ms: number, stopped?: true) => ({ built: 0, rebuilt: 745, rows: 1, ms, stopped });
    expect(followAtOnce(report(319_000))).to.equal(true);
    expect(followAtOnce(report(2_000))).to.equal(false);
    expect(followAtOnce(report(319_000, true))).to.equal(false);
    expect(followAtOnce(null)).to.equal(false);
  });
});

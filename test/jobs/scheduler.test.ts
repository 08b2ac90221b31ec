// The sweep's scheduler: passes never overlap within a process (a second request waits for the one in flight
// and several waiting requests share one pass), stopping waits for the pass in flight, and with DEMO_CLOCK=1
// moving the demo clock sweeps before the response, so the next read already shows the new light.
import { expect } from 'chai';
import { pino } from 'pino';
import request from 'supertest';
import { createApp } from '../../server/app.ts';
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

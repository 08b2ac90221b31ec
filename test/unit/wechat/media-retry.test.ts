// The WeChat picture's retry plan (pure): doubling delays capped at an hour, no retry past WeChat's three-day
// retention, and a permanent failure given up at once.
import { expect } from 'chai';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../../shared/clock.ts';
import { MEDIA_RETENTION_MS, planMediaRetry, retryDelayMs } from '../../../server/wechat/media-retry.ts';

const receivedAt = new Date('2026-03-02T01:00:00Z');
const after = (ms: number) => new Date(receivedAt.getTime() + ms);

describe('WeChat media retry plan', () => {
  it('waits 1, 2, 4 … minutes, never more than an hour', () => {
    expect([1, 2, 3, 4, 7, 20].map(retryDelayMs)).to.deep.equal([
      MINUTE_MS,
      2 * MINUTE_MS,
      4 * MINUTE_MS,
      8 * MINUTE_MS,
      HOUR_MS,
      HOUR_MS,
    ]);
  });

  it('retries at now + the delay while WeChat still keeps the media', () => {
    const now = after(10 * MINUTE_MS);
    const plan = planMediaRetry({ attempts: 3, receivedAt, now, reason: 'errcode 45009', permanent: false });
    expect(plan).to.deep.equal({
      kind: 'retry',
      at: new Date(now.getTime() + 4 * MINUTE_MS),
      reason: 'errcode 45009',
    });
  });

  it('gives up when the next try would fall after the three days, saying why', () => {
    expect(MEDIA_RETENTION_MS).to.equal(3 * DAY_MS);
    const last = planMediaRetry({
      attempts: 30,
      receivedAt,
      now: after(3 * DAY_MS - HOUR_MS),
      reason: 'HTTP 502',
      permanent: false,
    });
    expect(last.kind).to.equal('retry');
    const plan = planMediaRetry({
      attempts: 31,
      receivedAt,
      now: after(3 * DAY_MS - HOUR_MS + 1),
      reason: 'HTTP 502',
      permanent: false,
    });
    expect(plan).to.deep.equal({ kind: 'fail', reason: '微信素材保存期（3天）内未能下载：HTTP 502' });
  });

  it('gives up at once on a permanent failure, with its own reason', () => {
    const plan = planMediaRetry({
      attempts: 1,
      receivedAt,
      now: receivedAt,
      reason: '微信素材已失效',
      permanent: true,
    });
    expect(plan).to.deep.equal({ kind: 'fail', reason: '微信素材已失效' });
  });
});

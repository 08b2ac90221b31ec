// A job's progress check that fails (web/src/lib/poll-retry.ts): tried again later each time, up to every 10 s,
// unless the answer says the job is gone or not this user's.
import { expect } from 'chai';
import { retryDelay, retryingMessage } from '../../../web/src/lib/poll-retry.ts';

describe('web: retrying a job progress check', () => {
  it('waits 1, 2, 4, 8, then 10 seconds after a network failure or a 5xx', () => {
    const network = new TypeError('Failed to fetch');
    expect([1, 2, 3, 4, 5, 9].map((n) => retryDelay(network, n))).to.deep.equal([
      1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
    expect(retryDelay({ status: 503 }, 1)).to.equal(1_000);
    expect(retryDelay({ status: 429 }, 2)).to.equal(2_000);
  });

  it('stops on a 4xx: the job is gone or not this user’s', () => {
    for (const status of [400, 403, 404]) expect(retryDelay({ status }, 1), String(status)).to.equal(null);
  });

  it('says when the next check comes', () => {
    expect(retryingMessage('网络连接失败', 4_000)).to.equal('网络连接失败（4 秒后重新查询进度）');
  });
});

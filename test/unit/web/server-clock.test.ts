// The staff app counts lights and countdowns on the server's clock (X-Server-Time on every API answer), not
// the device's (web lib/server-clock).
import { expect } from 'chai';
import { now, serverNow, syncServerClock } from '../../../web/src/lib/server-clock.ts';

describe('the staff app’s clock follows the server’s (web lib/server-clock)', () => {
  after(() => syncServerClock(Date.now()));

  it('counts from the time the last answer carried, and moves `now` with it', () => {
    const server = Date.parse('2026-03-02T03:31:00Z');
    syncServerClock(server);
    expect(Math.abs(serverNow() - server)).to.be.below(50);
    expect(Math.abs(now.value - server)).to.be.below(50);
    // A demo clock advanced by a day: the next answer says so.
    syncServerClock(server + 86_400_000);
    expect(Math.abs(serverNow() - (server + 86_400_000))).to.be.below(50);
  });

  it('ignores a drift under a second and an answer without the header', () => {
    const server = Date.parse('2026-03-02T03:31:00Z');
    const received = Date.now();
    syncServerClock(server, received);
    const before = now.value;
    syncServerClock(server + 400, received);
    expect(now.value).to.equal(before);
    syncServerClock(Number(null));
    syncServerClock(Number.NaN);
    expect(Math.abs(serverNow() - (server + (Date.now() - received)))).to.be.below(50);
  });
});

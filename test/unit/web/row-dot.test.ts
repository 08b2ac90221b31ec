// A list row's dot beside its countdown (web lib/countdown rowDot): a 待签收 issue past its sign-for limit, its
// handling clock still green, showed a green dot beside 签收时限 超时 3天9小时 (HZ-2026-000324). The dot takes
// the colour of the limit counted down beside it when that one is further gone, and names it, never the issue's
// 红灯 that the filters count by the stored light.
import { expect } from 'chai';
import { runningDeadline } from '../../../shared/running-deadline.ts';
import { rowDot } from '../../../web/src/lib/countdown.ts';

const HOUR = 3_600_000;
const start = Date.parse('2026-12-01T01:00:00Z');
const iso = (t: number) => new Date(t).toISOString();
const deadlines = {
  startAt: iso(start),
  signBy: iso(start + 8 * HOUR),
  yellowAt: iso(start + 100 * HOUR),
  redAt: iso(start + 120 * HOUR),
  overdueAt: iso(start + 144 * HOUR),
  pausedAt: null,
};
/** The running deadline as the API sends it (ISO strings). */
function running(state: 'dispatched' | 'in_progress') {
  const r = runningDeadline({ state, deadlines })!;
  return {
    kind: r.kind,
    dueAt: iso(r.dueAt.getTime()),
    yellowAt: iso(r.yellowAt.getTime()),
    redAt: iso(r.redAt.getTime()),
    overdueAt: iso(r.overdueAt.getTime()),
    pausedAt: null,
  };
}

describe('a list row’s dot agrees with the countdown beside it (web lib/countdown rowDot)', () => {
  it('a 待签收 row past its 签收时限 is not green: red, named 签收时限已过', () => {
    const late = start + 80 * HOUR;
    expect(rowDot(running('dispatched'), 'none', late)).to.deep.equal({
      level: 'red',
      label: '签收时限已过',
    });
  });

  it('within its sign-for limit it shows the issue’s light', () => {
    expect(rowDot(running('dispatched'), 'none', start + HOUR)).to.deep.equal({
      level: 'none',
      label: '正常',
    });
  });

  it('a row counting down the handling clock shows the light of that clock', () => {
    const at = start + 130 * HOUR;
    expect(rowDot(running('in_progress'), 'red', at)).to.deep.equal({ level: 'red', label: '红灯预警' });
  });

  it('an issue whose own light is further gone keeps it', () => {
    const at = start + 150 * HOUR;
    expect(rowDot(running('dispatched'), 'overdue', at)).to.deep.equal({ level: 'overdue', label: '已超期' });
  });
});

// The KPI job reads the neighbours of changed issues group by group (server/kpi/kpi-rollup-issues.ts): each group
// spans at most NEIGHBOUR_SPAN_MS of creation times and names at most NEIGHBOUR_ENTERPRISES enterprises, and
// every anchor is in exactly one group, whatever order they come in.
import { expect } from 'chai';
import {
  anchorGroups,
  NEIGHBOUR_ENTERPRISES,
  NEIGHBOUR_SPAN_MS,
} from '../../../server/kpi/kpi-rollup-issues.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);
const anchor = (e: number, day: number) => ({ enterpriseId: `e${e}`, createdAt: new Date(T0 + day * DAY) });

describe('KPI rollups: groups of anchors for the neighbour reads', () => {
  it('cuts a group where its span would pass the limit, in creation order', () => {
    const anchors = [
      anchor(1, 400),
      anchor(2, 0),
      anchor(1, 29),
      anchor(3, 31),
      anchor(2, 45),
      anchor(4, 30),
    ];
    const groups = anchorGroups(anchors);
    expect(groups.map((g) => [g.first.getTime(), g.last.getTime()].map((t) => (t - T0) / DAY))).to.deep.equal(
      [
        [0, 30],
        [31, 45],
        [400, 400],
      ],
    );
    expect(groups.map((g) => g.enterprises)).to.deep.equal([['e2', 'e1', 'e4'], ['e3', 'e2'], ['e1']]);
    for (const g of groups) expect(g.last.getTime() - g.first.getTime()).to.be.at.most(NEIGHBOUR_SPAN_MS);
  });

  it('cuts a group at the enterprise limit, and a repeat enterprise does not count twice', () => {
    const n = NEIGHBOUR_ENTERPRISES;
    const anchors = [
      ...Array.from({ length: n }, (_, e) => anchor(e, 1)),
      anchor(0, 2), // already in the group: no new point
      anchor(n, 2), // one more enterprise: a new group
    ];
    const groups = anchorGroups(anchors);
    expect(groups.map((g) => g.enterprises.length)).to.deep.equal([n, 1]);
    expect(groups[0].last.getTime()).to.equal(T0 + 2 * DAY);
    expect(groups[1].enterprises).to.deep.equal([`e${n}`]);
  });

  it('has no group for no anchors', () => {
    expect(anchorGroups([])).to.deep.equal([]);
  });
});

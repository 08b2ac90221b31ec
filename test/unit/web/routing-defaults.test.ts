// 分办规则's 默认规则 table (web/src/lib/routing-defaults.ts) says what intake's own fallback does
// (config/routing's defaultRouting): a county enterprise's local category goes to its county's centre, the rest
// and every city enterprise to the category's city department; a default unit the directory lost is named.
import { expect } from 'chai';
import { defaultRouting } from '../../../config/routing.ts';
import { COUNTIES, UNITS } from '../../../config/units.ts';
import { CATEGORY_IDS } from '../../../shared/states.ts';
import { defaultRouteRows } from '../../../web/src/lib/routing-defaults.ts';
import type { Unit } from '../../../web/src/lib/types.ts';

const directory: Unit[] = UNITS.map((u, i) => ({
  id: String(i),
  code: u.code,
  name: u.name,
  level: u.level,
  levelLabel: '',
  region: u.region,
}));
const nameOf = (code: string | null) => directory.find((u) => u.code === code)?.name;

describe('分办规则: the default routing table (routing-defaults)', () => {
  it('one row per category, as intake falls back for every county and the city', () => {
    const rows = defaultRouteRows(directory);
    expect(rows.map((r) => r.category)).to.deep.equal([...CATEGORY_IDS]);
    for (const row of rows) {
      expect(row.city, row.category).to.equal(nameOf(defaultRouting(row.category, 'city')));
      for (const county of COUNTIES) {
        const code = defaultRouting(row.category, county.code);
        if (row.county === '企业所在区县的企业综合服务中心') expect(code).to.equal(`${county.code}-centre`);
        else expect(row.county, `${row.category} ${county.code}`).to.equal(nameOf(code));
      }
      expect(row.missing).to.deep.equal([]);
    }
    const land = rows.find((r) => r.category === 'land')!;
    expect(land).to.include({ county: '企业所在区县的企业综合服务中心', city: '市自然资源和规划局' });
    expect(rows.find((r) => r.category === 'policy')).to.include({
      county: '市经济和信息化局',
      city: '市经济和信息化局',
    });
  });

  it('names a default unit the directory no longer has', () => {
    const rows = defaultRouteRows(directory.filter((u) => u.code !== 'city-econ'));
    expect(rows.find((r) => r.category === 'policy')).to.deep.include({
      city: '单位 city-econ',
      missing: ['city-econ'],
    });
  });
});

// 分办规则's 默认规则 table (web/src/lib/routing-defaults.ts) says what intake's own fallback does
// (config/routing's defaultRouting): a county enterprise's local category goes to its county's centre, the rest
// and every city enterprise to the category's city department; a default unit the directory lost is named.
// And the desk's and 测试分办's preview (web/src/lib/routing.ts suggestRoute) reads a stored rule's keywords as
// intake does: a keyword rule applies to the text that names one of them, else the region's rules decide.
import { expect } from 'chai';
import { defaultRouting } from '../../../config/routing.ts';
import { COUNTIES, UNITS } from '../../../config/units.ts';
import { CATEGORY_IDS } from '../../../shared/states.ts';
import { defaultRouteRows, keywordDefaultRows } from '../../../web/src/lib/routing-defaults.ts';
import { issueRoutingText, suggestRoute, type StoredRule } from '../../../web/src/lib/routing.ts';
import type { Unit } from '../../../web/src/lib/types.ts';

const directory: Unit[] = UNITS.map((u, i) => ({
  id: String(i),
  code: u.code,
  name: u.name,
  level: u.level,
  levelLabel: '',
  region: u.region,
  categories: [...(u.categories ?? [])],
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

  it('lists the default keyword rules beside the table: 环保 to 市生态环境局, 安全生产 to 市应急管理局', () => {
    const rows = keywordDefaultRows(directory);
    expect(rows.map((r) => [r.unit, r.categories])).to.deep.equal([
      ['市生态环境局', ['approval', 'enforcement']],
      ['市应急管理局', ['approval', 'enforcement']],
    ]);
    expect(rows[0].keywords).to.include.members(['环保', '环评', '排污']);
    expect(rows[1].keywords).to.include.members(['安全生产', '安监', '危化品']);
    // What the list says is what intake does.
    expect(defaultRouting('enforcement', 'anji', `园区${rows[0].keywords[0]}检查`)).to.equal('city-eco-env');
    expect(defaultRouting('approval', 'city', `${rows[1].keywords[0]}许可`)).to.equal('city-emergency');
  });

  it('names a default unit the directory no longer has', () => {
    const rows = defaultRouteRows(directory.filter((u) => u.code !== 'city-econ'));
    expect(rows.find((r) => r.category === 'policy')).to.deep.include({
      city: '单位 city-econ',
      missing: ['city-econ'],
    });
  });
});

const idOf = (code: string) => directory.find((u) => u.code === code)!.id;

describe('routing preview: rule keywords (suggestRoute)', () => {
  const rule = (unitCode: string, keywords: string[]): StoredRule => ({
    id: unitCode,
    category: 'utilities',
    region: null,
    unitId: idOf(unitCode),
    coUnitIds: [],
    priority: 0,
    keywords,
    enabled: true,
  });
  const rules = [rule('city-construction', ['供水', '自来水']), rule('anji-centre', [])];
  const route = (issue: { title?: string; content: string }) =>
    suggestRoute(rules, directory, { category: 'utilities', region: 'anji', text: issueRoutingText(issue) });

  it('sends an issue whose title or content names a keyword to that rule’s unit, others by the other rules', () => {
    expect(route({ title: '自来水水压不足', content: '印染车间无法生产' })?.unit.code).to.equal(
      'city-construction',
    );
    expect(route({ content: '园区 供 水 管网破裂' })?.unit.code).to.equal('city-construction');
    expect(route({ title: '园区频繁停电', content: '影响生产' })?.unit.code).to.equal('anji-centre');
    expect(route({ content: '园区频繁停电' })?.source).to.equal('rule');
  });
});

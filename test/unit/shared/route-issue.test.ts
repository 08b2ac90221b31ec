// Routing at intake, pure: an enterprise's township (乡镇/街道) takes a local matter it declares, one level below
// its county's unit; admin rules (one may name the township) still come first, and keyword defaults and city
// matters are not the township's.
import { expect } from 'chai';
import { defaultRouting } from '../../../config/routing.ts';
import { townshipInAddress, UNITS, type UnitDef } from '../../../config/units.ts';
import type { IntakeConfig, IntakeRule, IntakeUnit } from '../../../server/intake/intake-config.ts';
import { routeIssue, type RouteQuery } from '../../../shared/route-issue.ts';
import type { CategoryId } from '../../../shared/states.ts';

type Rule = Omit<IntakeRule, '_id' | 'unitId' | 'coUnitIds'> & { unitCode: string };

/** A snapshot of the directory with these townships declaring these categories (ids are the codes). */
function configOf(declared: Record<string, CategoryId[]>, rules: Rule[] = []): IntakeConfig {
  const units = UNITS.map((u: UnitDef) => ({
    _id: u.code,
    code: u.code,
    name: u.name,
    level: u.level,
    region: u.region,
    categories: [...(declared[u.code] ?? u.categories ?? [])],
  })) as unknown as IntakeUnit[];
  return {
    units,
    unitById: new Map(units.map((u) => [String(u._id), u])),
    unitByCode: new Map(units.map((u) => [u.code, u])),
    rules: rules.map(({ unitCode, ...r }, i) => ({
      ...r,
      _id: `r${i}`,
      unitId: unitCode,
      coUnitIds: [],
    })) as never,
  } as unknown as IntakeConfig;
}

const ZHILI = 'wuxing-zhili';
const declared = { [ZHILI]: ['land', 'utilities', 'policy'] as CategoryId[] };
const route = (config: IntakeConfig, q: Partial<RouteQuery>) =>
  routeIssue(config, { category: 'land', region: 'wuxing', township: ZHILI, text: '', ...q }, defaultRouting);
const pick = (r: ReturnType<typeof routeIssue>) =>
  r && { unit: r.unitId, level: r.level, confident: r.confident };

describe('routing at intake: townships', () => {
  it('sends a local matter the township declares to the township, confidently', () => {
    expect(pick(route(configOf(declared), {}))).to.deep.equal({
      unit: ZHILI,
      level: 'township',
      confident: true,
    });
    expect(route(configOf(declared), {})?.source).to.equal('unit');
  });

  it('sends it to the county centre when the township does not declare it, or the enterprise has none', () => {
    const config = configOf(declared);
    expect(pick(route(config, { category: 'approval' }))).to.deep.include({
      unit: 'wuxing-centre',
      level: 'county',
    });
    expect(pick(route(config, { township: null }))).to.deep.include({
      unit: 'wuxing-centre',
      level: 'county',
    });
    // Nothing declared anywhere (the production default): exactly as before townships.
    expect(pick(route(configOf({}), {}))).to.deep.include({ unit: 'wuxing-centre', level: 'county' });
  });

  it('never gives a township a city matter, a keyword default or another county’s enterprise', () => {
    const config = configOf(declared);
    // 政策兑现 is the city's even though 织里镇 declares it.
    expect(route(config, { category: 'policy' })?.level).to.equal('city');
    // An 环评 approval goes to the city bureau by keyword, ahead of the category's local unit.
    const eco = configOf({ [ZHILI]: ['approval'] });
    expect(route(eco, { category: 'approval', text: '项目环评审批迟迟未办' })?.unitId).to.equal(
      'city-eco-env',
    );
    // A township of 吴兴 on an enterprise registered in 德清 (a stale value) is ignored.
    expect(pick(route(config, { region: 'deqing' }))).to.deep.include({
      unit: 'deqing-centre',
      level: 'county',
    });
  });

  it('falls back through the directory township → county → city without configured defaults', () => {
    const config = configOf(declared);
    const q = { category: 'utilities' as const, region: 'wuxing', township: ZHILI };
    expect(routeIssue(config, q)?.unitId).to.equal(ZHILI);
    expect(routeIssue(config, { ...q, township: 'wuxing-balidian' })?.unitId).to.equal('wuxing-centre');
    expect(routeIssue(configOf({}, []), { ...q, category: 'tax' })?.level).to.equal('city');
  });

  it('lets admin rules lead, and a rule naming the township beats its county’s of the same rank', () => {
    const county: Rule = {
      category: 'land',
      region: 'wuxing',
      unitCode: 'city-nrp',
      priority: 0,
      keywords: [],
    };
    expect(route(configOf(declared, [county]), {})?.unitId, 'a county rule over the township').to.equal(
      'city-nrp',
    );
    const town: Rule = { ...county, region: ZHILI, unitCode: 'wuxing-balidian' };
    const both = configOf(declared, [county, town]);
    expect(pick(route(both, {}))).to.deep.equal({
      unit: 'wuxing-balidian',
      level: 'township',
      confident: true,
    });
    // Only that township's enterprises.
    expect(route(both, { township: 'wuxing-miaoxi' })?.unitId).to.equal('city-nrp');
  });
});

describe('the township an address names', () => {
  it('reads a full township name of the county, else none', () => {
    expect(townshipInAddress('wuxing', '浙江省湖州市吴兴区织里镇大港路18号')).to.equal(ZHILI);
    expect(townshipInAddress('deqing', '德清县武康街道英溪南路1号')).to.equal('deqing-wukang');
    // Of another county, or two of them, or a short form: not clear enough.
    expect(townshipInAddress('deqing', '浙江省湖州市吴兴区织里镇大港路18号')).to.equal(null);
    expect(townshipInAddress('wuxing', '织里镇与八里店镇交界处')).to.equal(null);
    expect(townshipInAddress('deqing', '德清县新市大道8号')).to.equal(null);
    expect(townshipInAddress('nanxun', '湖州市南浔区人民路1号')).to.equal(null);
    expect(townshipInAddress('wuxing', '')).to.equal(null);
  });
});

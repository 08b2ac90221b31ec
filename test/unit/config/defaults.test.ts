import { expect } from 'chai';
import { CATEGORIES, CATEGORY_LABELS, categoryDef } from '../../../config/categories.ts';
import { CHANNELS, channelDef } from '../../../config/channels.ts';
import {
  DEFAULT_ROUTING_RULES,
  coordinationTier,
  defaultRouting,
  evaluateRoutingRules,
} from '../../../config/routing.ts';
import { DEFAULT_TIME_LIMIT_POLICY, MEETING_PROMISE } from '../../../config/time-limits.ts';
import { COUNTIES, REGION_CODES, SERVICE_CENTRE_CODE, UNITS, findUnit } from '../../../config/units.ts';
import { CATEGORY_IDS, CHANNEL_IDS } from '../../../shared/states.ts';

describe('configuration defaults', () => {
  describe('units', () => {
    it('has a Huzhou-like city: five counties/districts with townships, city departments and service centres', () => {
      expect(COUNTIES.map((c) => c.name)).to.deep.equal(['吴兴区', '南浔区', '德清县', '长兴县', '安吉县']);
      expect(findUnit(SERVICE_CENTRE_CODE)?.name).to.equal('市企业综合服务中心');
      expect(findUnit('city-nrp')?.name).to.equal('市自然资源和规划局');
      expect(findUnit('deqing-centre')).to.include({
        level: 'county',
        region: 'deqing',
        parentCode: SERVICE_CENTRE_CODE,
      });
      expect(findUnit('wuxing-zhili')).to.include({
        name: '织里镇',
        level: 'township',
        parentCode: 'wuxing-centre',
      });
      const departments = UNITS.filter((u) => u.level === 'city' && u.code !== SERVICE_CENTRE_CODE);
      expect(departments.length).to.be.within(10, 14);
      for (const county of COUNTIES) {
        expect(
          UNITS.filter((u) => u.level === 'township' && u.region === county.code).length,
          county.name,
        ).to.be.at.least(3);
      }
    });

    it('uses unique codes the unit model accepts, and parents that exist', () => {
      const codes = UNITS.map((u) => u.code);
      expect(new Set(codes).size).to.equal(codes.length);
      for (const unit of UNITS) {
        expect(unit.code).to.match(/^[a-z0-9][a-z0-9-]{1,39}$/);
        if (unit.parentCode) expect(findUnit(unit.parentCode), unit.code).to.not.equal(undefined);
      }
    });

    it('gives every category a city department that handles it', () => {
      for (const id of CATEGORY_IDS) {
        expect(
          UNITS.some((u) => u.level === 'city' && u.categories?.includes(id)),
          id,
        ).to.equal(true);
      }
    });
  });

  describe('categories', () => {
    it('has the twelve of DESIGN §9 with Chinese names and keywords', () => {
      expect(CATEGORIES.map((c) => c.id)).to.deep.equal([...CATEGORY_IDS]);
      expect(CATEGORY_LABELS.land).to.equal('用地厂房');
      expect(CATEGORY_LABELS.market).to.equal('公平竞争');
      for (const c of CATEGORIES) expect(c.keywords.length, c.id).to.be.at.least(5);
    });

    it('names an existing default unit for every region', () => {
      for (const c of CATEGORIES) {
        for (const region of REGION_CODES) {
          expect(findUnit(c.defaultUnits[region]), `${c.id}/${region}`).to.not.equal(undefined);
        }
      }
    });

    it('sends local problems to the county centre and city matters to the department', () => {
      expect(categoryDef('land').defaultUnits.deqing).to.equal('deqing-centre');
      expect(categoryDef('land').defaultUnits.city).to.equal('city-nrp');
      expect(categoryDef('tax').defaultUnits.anji).to.equal('city-tax');
      expect(() => categoryDef('weather' as never)).to.throw(RangeError);
    });
  });

  describe('routing', () => {
    it('routes category × region to a unit', () => {
      expect(defaultRouting('land', 'changxing')).to.equal('changxing-centre');
      expect(defaultRouting('finance', 'changxing')).to.equal('city-finance');
      expect(defaultRouting('innovation', 'city')).to.equal('city-sci');
      // One rule per category and region, and the keyword rules of two bureaus for two categories each.
      expect(DEFAULT_ROUTING_RULES.filter((r) => !r.keywords)).to.have.length(12 * 6);
      expect(DEFAULT_ROUTING_RULES.filter((r) => r.keywords)).to.have.length(2 * 2);
    });

    it('lets a higher-priority or region-specific rule win, and flags disagreement as not confident', () => {
      const rules = [
        { category: 'land' as const, unitCode: 'city-nrp' },
        { category: 'land' as const, region: 'anji', unitCode: 'anji-centre' },
      ];
      expect(evaluateRoutingRules(rules, { category: 'land', region: 'anji' })).to.deep.equal({
        unitCode: 'anji-centre',
        coUnitCodes: [],
        confident: true,
      });
      expect(evaluateRoutingRules(rules, { category: 'land', region: 'deqing' })?.unitCode).to.equal(
        'city-nrp',
      );
      const tie = [...rules, { category: 'land' as const, region: 'anji', unitCode: 'anji-meixi' }];
      expect(evaluateRoutingRules(tie, { category: 'land', region: 'anji' })?.confident).to.equal(false);
      // The same unit named twice at the same rank is one answer; a third rule naming another unit is a tie.
      const twice = [...rules, { category: 'land' as const, region: 'anji', unitCode: 'anji-centre' }];
      expect(evaluateRoutingRules(twice, { category: 'land', region: 'anji' })?.confident).to.equal(true);
      const third = [...twice, { category: 'land' as const, region: 'anji', unitCode: 'anji-meixi' }];
      expect(evaluateRoutingRules(third, { category: 'land', region: 'anji' })?.confident).to.equal(false);
      const disabled = [{ category: 'land' as const, unitCode: 'city-nrp', enabled: false }];
      expect(evaluateRoutingRules(disabled, { category: 'land', region: 'anji' })).to.equal(null);
    });

    it('applies a rule with keywords only to a text that names one, ahead of the rules without', () => {
      const rules = [
        { category: 'utilities' as const, region: 'anji', unitCode: 'anji-centre' },
        { category: 'utilities' as const, unitCode: 'city-water', keywords: ['供水', '自来水'] },
        { category: 'utilities' as const, unitCode: 'city-power', keywords: ['停电'] },
      ];
      const route = (text?: string) =>
        evaluateRoutingRules(rules, { category: 'utilities', region: 'anji', text });
      expect(route('厂区 自来水 水压不足')?.unitCode, 'a city-wide keyword rule beats the region’s').to.equal(
        'city-water',
      );
      expect(route('园区又停电了')?.unitCode).to.equal('city-power');
      // Compared without case, width or spaces; a text naming neither, or none, keeps the region's rule.
      expect(route('昨天 停 电 两次')?.unitCode).to.equal('city-power');
      expect(route('天然气价格上涨')?.unitCode).to.equal('anji-centre');
      expect(route()?.unitCode).to.equal('anji-centre');
      // Naming both: two keyword rules of one rank and different units, so a dispatcher decides.
      expect(route('停电后供水也停了')?.confident).to.equal(false);
      // Priority still comes first.
      const first = [
        ...rules,
        { category: 'utilities' as const, region: 'anji', unitCode: 'anji-meixi', priority: 1 },
      ];
      expect(
        evaluateRoutingRules(first, { category: 'utilities', region: 'anji', text: '停电' })?.unitCode,
      ).to.equal('anji-meixi');
    });

    it('sends environmental and work-safety approvals and inspections to the city bureaus, in every region', () => {
      expect(findUnit('city-eco-env')).to.include({ name: '市生态环境局', level: 'city', region: 'city' });
      expect(findUnit('city-emergency')).to.include({ name: '市应急管理局', level: 'city', region: 'city' });
      for (const region of REGION_CODES) {
        // The demo's own complaints (server/seed/problems-regulation.seed.ts).
        expect(defaultRouting('enforcement', region, '环保督查期间园区所有企业被要求限产'), region).to.equal(
          'city-eco-env',
        );
        expect(defaultRouting('approval', region, '项目环评材料已经补正三次'), region).to.equal(
          'city-eco-env',
        );
        expect(defaultRouting('approval', region, '排污许可证延续时间紧'), region).to.equal('city-eco-env');
        expect(defaultRouting('enforcement', region, '本季度消防、安监就同一事项检查了4次'), region).to.equal(
          'city-emergency',
        );
        expect(defaultRouting('enforcement', region, '危化品仓库安全生产检查'), region).to.equal(
          'city-emergency',
        );
        // Without such a word, as before: the county centre, or the city department for the city.
        expect(defaultRouting('enforcement', region, '市场监管部门多头重复检查')).to.equal(
          defaultRouting('enforcement', region),
        );
      }
      // Words that are not the bureaus' business stay where they were: 营商环境, a road crossing's 安全隐患.
      expect(defaultRouting('approval', 'deqing', '营商环境还要优化，审批窗口跑多次')).to.equal(
        'deqing-centre',
      );
      expect(defaultRouting('logistics', 'deqing', '路口没有信号灯，存在安全隐患')).to.equal('deqing-centre');
      expect(defaultRouting('enforcement', 'city')).to.equal('city-amr');
    });

    it('sends cross-department, cross-region and complex problems to the director tier', () => {
      expect(coordinationTier({ categories: ['land'], regions: ['deqing'] })).to.equal('section');
      expect(coordinationTier({ categories: ['land', 'finance'], regions: ['deqing'] })).to.equal('director');
      expect(coordinationTier({ categories: ['logistics'], regions: ['deqing', 'anji'] })).to.equal(
        'director',
      );
      expect(coordinationTier({ categories: ['tax'], regions: ['city'], complex: true })).to.equal(
        'director',
      );
    });
  });

  describe('channels and time limits', () => {
    it('describes all twelve channels, with the meeting channel’s promise', () => {
      expect(CHANNELS.map((c) => c.id)).to.deep.equal([...CHANNEL_IDS]);
      expect(channelDef('meeting').promise).to.contain('2个工作日内分办');
      expect(channelDef('hotline12345').inbound).to.contain('HMAC');
      expect(MEETING_PROMISE.callbackRate).to.equal(1);
    });

    it('defaults to the limits of DESIGN §5', () => {
      const p = DEFAULT_TIME_LIMIT_POLICY;
      expect(p.urgencies.critical.sign).to.deep.equal({ kind: 'wall_minutes', minutes: 30 });
      expect(p.urgencies.urgent.resolve).to.deep.equal({ kind: 'working_days', days: 3 });
      expect(p.urgencies.normal.resolve).to.deep.equal({ kind: 'working_days', days: 5 });
      expect(p.urgencies.complex.resolve).to.deep.equal({ kind: 'working_days', days: 15 });
      expect(p.maxExtensions).to.equal(1);
      expect([
        p.escalateAfterRedWorkingDays,
        p.bulletinAfterRedWorkingDays,
        p.ratingWindowWorkingDays,
      ]).to.deep.equal([3, 5, 3]);
      expect([p.rectifyWorkingDays, p.maxRectifyWorkingDays]).to.deep.equal([5, 15]);
    });
  });
});

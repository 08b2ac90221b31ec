import { expect } from 'chai';
import { classify, urgencyOf } from '../../../shared/classify.ts';
import { CATEGORIES } from '../../../config/categories.ts';

describe('classifier', () => {
  it('recognises a plant-acceptance problem as land, confidently', () => {
    const r = classify('我司新建厂房已竣工三个月，验收一直没有办下来，不动产权证也办不了', CATEGORIES);
    expect(r.category).to.equal('land');
    expect(r.confidence).to.be.greaterThan(0.6);
    expect(r.matched).to.include.members(['厂房', '验收']);
  });

  it('recognises tax, talent, finance and utilities problems', () => {
    expect(classify('出口退税申请已经两个月还没到账', CATEGORIES).category).to.equal('tax');
    expect(classify('招工难，一线技工缺口两百人，人才公寓不够', CATEGORIES).category).to.equal('talent');
    expect(classify('银行突然抽贷，续贷手续卡住了', CATEGORIES).category).to.equal('finance');
    expect(classify('园区供电不足，需要变压器扩容', CATEGORIES).category).to.equal('utilities');
  });

  it('marks production stoppages and safety as critical', () => {
    expect(classify('园区突然断电，整条生产线停产', CATEGORIES).urgency).to.equal('critical');
    expect(urgencyOf('仓库发生火灾隐患')).to.equal('critical');
  });

  it('marks haste as urgent and multi-department problems as complex', () => {
    expect(urgencyOf('请尽快协调，下周就要交货')).to.equal('urgent');
    expect(urgencyOf('涉及多部门的历史遗留问题')).to.equal('complex');
    expect(urgencyOf('厂房验收进度咨询')).to.equal('normal');
  });

  it('ignores negated cues', () => {
    expect(urgencyOf('不紧急，方便时答复即可')).to.equal('normal');
    expect(urgencyOf('经排查无安全隐患')).to.equal('normal');
  });

  it('gives zero confidence when nothing matches, and low confidence when two categories compete', () => {
    const none = classify('你好', CATEGORIES);
    expect(none.confidence).to.equal(0);
    const mixed = classify('税', CATEGORIES);
    expect(mixed.confidence).to.be.lessThan(0.6);
    const competing = classify('贷款和退税', CATEGORIES);
    expect(competing.confidence).to.be.within(0, 0.6);
  });

  it('keeps confidence within [0, 1] whatever the text', () => {
    const long = CATEGORIES.flatMap((c) => c.keywords).join('');
    for (const text of ['', long, '用地'.repeat(50), 'ＡＢＣ　厂房']) {
      const r = classify(text, CATEGORIES);
      expect(r.confidence, text.slice(0, 10)).to.be.within(0, 1);
    }
  });

  it('ignores spaces and full-width characters', () => {
    expect(classify('厂 房 验 收', CATEGORIES).category).to.equal('land');
  });

  it('refuses to classify with no categories', () => {
    expect(() => classify('厂房', [])).to.throw(RangeError);
  });
});

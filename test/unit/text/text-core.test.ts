// The text core (server/text): segmentation, urgency rules with negation, the trained model and its JSON form.
import { expect } from 'chai';
import { CATEGORIES } from '../../../config/categories.ts';
import { classifyText } from '../../../server/text/classify-text.ts';
import { normaliseText, segment, tokensOf } from '../../../server/text/segment.ts';
import {
  deserializeTextModel,
  serializeTextModel,
  trainTextModel,
  type LabelledText,
} from '../../../server/text/text-model.ts';
import { findCues, ruleUrgency } from '../../../server/text/urgency-rules.ts';
import { FIXTURE_TEXTS } from './texts.fixture.ts';

const urgencyOf = (text: string) => ruleUrgency(findCues(normaliseText(text)));

describe('text core: segmentation', () => {
  it('cuts Chinese into dictionary words and drops punctuation and function words', () => {
    const { words } = segment('我们公司的厂房验收迟迟未办理，影响投产！');
    expect(words).to.include.members(['厂房', '验收', '投产']);
    expect(words).not.to.include('，');
    expect(words).not.to.include('的');
  });

  it('adds character bigrams where jieba falls back to single characters', () => {
    const { bigrams } = segment('淇澳镇的氪铱厂');
    expect(bigrams.length).to.be.greaterThan(0);
    expect(tokensOf('淇澳镇的氪铱厂').some((t) => t.startsWith('#'))).to.equal(true);
  });

  it('treats full-width and half-width text alike', () => {
    expect(normaliseText('ＡＢＣ　１２３')).to.equal('abc123');
  });
});

describe('text core: urgency rules', () => {
  it('production stoppage, safety and utility cuts are critical', () => {
    expect(urgencyOf('突然断电，全厂停产')).to.equal('critical');
    expect(urgencyOf('车间存在安全隐患，随时可能坍塌')).to.equal('critical');
    expect(urgencyOf('十分着急，影响投产')).to.equal('critical');
  });

  it('wages and deadlines are urgent; several departments are complex', () => {
    expect(urgencyOf('工人工资发不出来了')).to.equal('urgent');
    expect(urgencyOf('许可证下周到期')).to.equal('urgent');
    expect(urgencyOf('涉及多个部门的历史遗留问题')).to.equal('complex');
    expect(urgencyOf('想咨询一下补贴政策')).to.equal('normal');
  });

  it('a negated cue does not count', () => {
    expect(urgencyOf('目前没有停产，不存在安全隐患')).to.equal('normal');
    expect(urgencyOf('不着急，方便时回复即可')).to.equal('normal');
    expect(urgencyOf('未停产，但已经断电两小时')).to.equal('critical');
  });
});

describe('text core: the trained model', () => {
  const model = trainTextModel(FIXTURE_TEXTS, CATEGORIES);

  it('learns the training texts and ranks three alternatives', () => {
    const right = FIXTURE_TEXTS.filter(
      (t) => classifyText(model, CATEGORIES, t.text).category === t.category,
    );
    expect(right.length).to.be.at.least(FIXTURE_TEXTS.length - 2);
    const r = classifyText(model, CATEGORIES, '园区停电导致停产，供电一直没恢复');
    expect(r.category).to.equal('utilities');
    expect(r.urgency).to.equal('critical');
    expect(r.alternatives).to.have.length(3);
    expect(r.alternatives[0]).to.deep.equal({ category: r.category, probability: r.confidence });
    expect(r.alternatives[0].probability).to.be.at.least(r.alternatives[1].probability);
    expect(r.evidence.cues.map((c) => c.family)).to.include('stoppage');
  });

  it('uses the admin keywords as features: a new keyword moves a text at once', () => {
    const text = '咨询一下氪铱项目的事情';
    const before = classifyText(model, CATEGORIES, text);
    const edited = CATEGORIES.map((c) => (c.id === 'tax' ? { ...c, keywords: [...c.keywords, '氪铱'] } : c));
    const after = classifyText(model, edited, text);
    const p = (r: typeof before) => r.alternatives.find((a) => a.category === 'tax')?.probability ?? 0;
    expect(p(after)).to.be.greaterThan(p(before));
  });

  it('answers confidence 0 and urgency 一般 for a text with no known word', () => {
    for (const text of ['你好', 'x', 'T', '满意', 'abc']) {
      const r = classifyText(model, CATEGORIES, text);
      expect(r, text).to.include({ confidence: 0, urgency: 'normal', urgencyConfidence: 0 });
    }
  });

  it('remembers the exact texts people labelled', () => {
    const text = '门口那条路的事情还是没有解决';
    const corrected: LabelledText = {
      text,
      category: 'logistics',
      urgency: 'urgent',
      remember: true,
      weight: 3,
    };
    const m = trainTextModel([...FIXTURE_TEXTS, corrected], CATEGORIES);
    const r = classifyText(m, CATEGORIES, `  ${text} `);
    expect(r).to.include({ category: 'logistics', urgency: 'urgent', source: 'memory', confidence: 1 });
  });

  it('survives JSON: the same answers after serialising and loading', () => {
    const copy = deserializeTextModel(JSON.parse(JSON.stringify(serializeTextModel(model))));
    for (const t of FIXTURE_TEXTS.slice(0, 10)) {
      expect(classifyText(copy, CATEGORIES, t.text)).to.deep.equal(classifyText(model, CATEGORIES, t.text));
    }
  });

  it('without a model the keyword rules answer', () => {
    const r = classifyText(null, CATEGORIES, '申请电力增容一直没有批下来，突然停电');
    expect(r).to.include({ category: 'utilities', urgency: 'critical', source: 'rules' });
  });
});

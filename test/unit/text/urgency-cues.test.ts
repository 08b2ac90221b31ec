// The admin's urgency cues over the defaults: a family left out keeps its words, an edited one replaces them,
// an emptied one is off; the words are normalised like the texts (full-width, case); negation still applies;
// the shared schema refuses what would misfire.
import { expect } from 'chai';
import { DEFAULT_URGENCY_CUES } from '../../../config/urgency-cues.ts';
import { CATEGORIES } from '../../../config/categories.ts';
import { urgencyCuesSettingSchema } from '../../../shared/schemas.ts';
import { CUE_FAMILY_IDS, effectiveCues } from '../../../shared/urgency-cues.ts';
import { classifyText } from '../../../server/text/classify-text.ts';
import { compileKeywords } from '../../../server/text/text-features.ts';
import { normaliseText } from '../../../server/text/segment.ts';
import { findCues, ruleUrgency } from '../../../server/text/urgency-rules.ts';
import { corpusModel } from '../../text/corpus-model.ts';

describe('text core: urgency cues as a setting', () => {
  const edited = effectiveCues(DEFAULT_URGENCY_CUES, { stoppage: ['卡脖子', 'ＰＬＣ故障'], wages: [] });
  const urgencyOf = (text: string) =>
    ruleUrgency(findCues(normaliseText(text), compileKeywords(CATEGORIES, edited).cues));

  it('keeps the families left out, replaces an edited one and switches an emptied one off', () => {
    for (const f of CUE_FAMILY_IDS.filter((f) => f !== 'stoppage' && f !== 'wages'))
      expect(edited[f]).to.equal(DEFAULT_URGENCY_CUES[f]);
    expect(urgencyOf('原料供应商卡脖子，订单交付受到影响')).to.equal('critical');
    expect(urgencyOf('全厂停产')).to.equal('normal'); // 停产 is no longer among the admin's stoppage words
    expect(urgencyOf('工人工资发不出来了')).to.equal('normal');
    expect(urgencyOf('车间着火了')).to.equal('critical'); // safety kept its defaults
  });

  it('matches an admin cue however it was typed (full-width, upper case) and keeps the negation', () => {
    expect(urgencyOf('生产线plc故障，急需技术支持')).to.equal('critical');
    expect(urgencyOf('供应商目前没有卡脖子，订单正常')).to.equal('normal');
  });

  it('classifies with the given cues and shows them as evidence, the defaults when none are given', () => {
    const text = '原料供应商卡脖子，订单交付受到影响';
    const withCues = classifyText(null, CATEGORIES, text, edited);
    expect(withCues.urgency).to.equal('critical');
    expect(withCues.evidence.cues).to.deep.equal([{ family: 'stoppage', cue: '卡脖子' }]);
    expect(classifyText(null, CATEGORIES, text).urgency).to.equal('normal');
  });

  it('takes exposed wiring and leaking current for safety, by the rules and the trained model', () => {
    const { model } = corpusModel();
    for (const text of [
      '变压器箱门被撬开，电线外露',
      '配电箱漏电，工人不敢靠近',
      '厂门口电线裸露，怕有人触电',
    ]) {
      expect(ruleUrgency(findCues(normaliseText(text))), text).to.equal('critical');
      expect(classifyText(model, CATEGORIES, text).urgency, text).to.equal('critical');
    }
    expect(urgencyOf('线路已经检查过，没有漏电')).to.equal('normal');
    // 漏气 is not a cue: a compressed-air line leaks too (a training text, labelled 一般); gas is 泄漏.
    expect(urgencyOf('空压站管道漏气，气压不够')).to.equal('normal');
  });

  it('refuses a one-character cue, punctuation, an unknown family and a family that is not a list', () => {
    expect(urgencyCuesSettingSchema.safeParse({ hurry: ['急'] }).success).to.equal(false);
    expect(urgencyCuesSettingSchema.safeParse({ hurry: ['很急，'] }).success).to.equal(false);
    expect(urgencyCuesSettingSchema.safeParse({ weather: ['台风'] }).success).to.equal(false);
    expect(urgencyCuesSettingSchema.safeParse({ hurry: '加急' }).success).to.equal(false);
    expect(urgencyCuesSettingSchema.parse({ hurry: [' 加急 '], wages: [] })).to.deep.equal({
      hurry: ['加急'],
      wages: [],
    });
  });
});

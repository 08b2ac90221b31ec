// Enterprise matching, pure: the order of the lookups, the normalised name, the region guessed for an unknown
// enterprise, and the matcher over an in-memory register (one lookup per step, ambiguity is no answer).
import { expect } from 'chai';
import { makeCreditCode } from '../../../shared/credit-code.ts';
import { enterpriseNameKey } from '../../../shared/enterprise-name.ts';
import {
  guessRegion,
  matchEnterprise,
  matchSteps,
  normaliseMobile,
  provisionalEnterprise,
  type MatchStep,
} from '../../../server/intake/match-enterprise.ts';

const CODE = makeCreditCode('91330521MA2B3C4D5');

describe('enterprise matching', () => {
  it('normalises names: legal forms, the province and city prefix, punctuation and full-width letters', () => {
    const key = enterpriseNameKey('德清绿源竹业有限公司');
    expect(enterpriseNameKey('湖州市德清绿源竹业股份有限公司')).to.equal(key);
    expect(enterpriseNameKey('浙江省湖州市 德清绿源竹业（有限责任公司）')).to.equal(key);
    expect(enterpriseNameKey('德清绿源竹业有限责任公司')).to.equal(key);
    expect(enterpriseNameKey('ＡＢＣ科技有限公司')).to.equal('ABC科技');
    expect(enterpriseNameKey('安吉绿源竹业有限公司')).to.not.equal(key);
    expect(enterpriseNameKey('有限公司')).to.equal('有限公司');
  });

  it('tries credit code, mobile, email, openid, name, then the normalised name', () => {
    const steps = matchSteps(
      { creditCode: CODE.toLowerCase(), name: '湖州市德清绿源竹业有限公司' },
      { phone: '+86 139-0572-1234', email: 'Boss@Example.com', openid: 'oX1' },
    );
    expect(steps.map((s) => s.by)).to.deep.equal([
      'credit_code',
      'mobile',
      'email',
      'openid',
      'name',
      'name_key',
    ]);
    expect(steps[0].value).to.equal(CODE);
    expect(steps[1].value).to.equal('13905721234');
    expect(steps[2].value).to.equal('boss@example.com');
    expect(steps[5].value).to.equal('德清绿源竹业');
  });

  it('tries the normalised name even when the name given is already short (the key of the full name)', () => {
    const steps = matchSteps({ name: '德清绿源竹业' }, {});
    expect(steps).to.deep.equal([
      { by: 'name', value: '德清绿源竹业' },
      { by: 'name_key', value: '德清绿源竹业' },
    ]);
  });

  it('ignores an invalid credit code and a landline', () => {
    const steps = matchSteps({ creditCode: '91330521MA2B3C4D5X' }, { phone: '0572-2345678' });
    expect(steps).to.deep.equal([]);
    expect(normaliseMobile('0572-2345678')).to.equal(undefined);
  });

  it('guesses the region from the division code, else a county in the name, else the city', () => {
    expect(guessRegion({ creditCode: CODE })).to.equal('deqing');
    expect(guessRegion({ name: '安吉某某竹木有限公司' })).to.equal('anji');
    expect(guessRegion({ name: '某某科技有限公司' })).to.equal('city');
  });

  describe('matchEnterprise', () => {
    const register: {
      id: string;
      creditCode?: string;
      mobile?: string;
      name: string;
      provisional?: boolean;
    }[] = [
      { id: 'a', creditCode: CODE, mobile: '13905721234', name: '德清绿源竹业有限公司' },
      // Left by earlier messages that were not matched: one beside a registered namesake, two on their own.
      { id: 'p1', name: '德清绿源竹业', provisional: true },
      { id: 'p2', name: '长兴星河电子', provisional: true },
      { id: 'p3', name: '长兴星河电子有限公司', provisional: true },
      {
        id: 'b',
        creditCode: makeCreditCode('91330523MA2B3C4D6'),
        mobile: '13800000000',
        name: '安吉白茶有限公司',
      },
      {
        id: 'c',
        creditCode: makeCreditCode('91330523MA2B3C4D7'),
        mobile: '13800000000',
        name: '安吉竹海有限公司',
      },
    ];
    const looked: string[] = [];
    const lookup = async (step: MatchStep) => {
      looked.push(step.by);
      return register.filter((e) => {
        if (step.by === 'credit_code') return e.creditCode === step.value;
        if (step.by === 'mobile') return e.mobile === step.value;
        if (step.by === 'name') return e.name === step.value;
        if (step.by === 'name_key') return enterpriseNameKey(e.name) === step.value;
        return false;
      });
    };
    beforeEach(() => (looked.length = 0));

    it('a known credit code decides in one lookup', async () => {
      const r = await matchEnterprise(
        lookup,
        { creditCode: CODE, name: '别的名字' },
        { phone: '13800000000' },
        '热线',
      );
      expect(r).to.deep.include({ by: 'credit_code' });
      expect(r.enterprise?.id).to.equal('a');
      expect(looked).to.deep.equal(['credit_code']);
    });

    it('a mobile shared by two enterprises is no answer; the normalised name then is', async () => {
      const r = await matchEnterprise(
        lookup,
        { name: '湖州安吉白茶股份有限公司' },
        { phone: '13800000000' },
        '短信',
      );
      expect(r).to.deep.include({ by: 'name_key' });
      expect(r.enterprise?.id).to.equal('b');
      expect(looked).to.deep.equal(['mobile', 'name', 'name_key']);
    });

    it('a message naming another registered enterprise than its sender’s mobile is about the named one', async () => {
      // The owner of 德清绿源竹业 (a's mobile) calls about 安吉白茶, which they also run.
      const r = await matchEnterprise(
        lookup,
        { name: '湖州安吉白茶有限公司' },
        { phone: '13905721234' },
        '12345热线',
      );
      expect(r.enterprise?.id).to.equal('b');
      expect(r).to.deep.include({ by: 'name_key' });
      expect(looked).to.deep.equal(['mobile', 'name', 'name_key']);
    });

    it('a name read from free text finds the firm when the contact finds nothing, and never overrides it', async () => {
      // A second person of 安吉白茶 writes from a mobile the register does not know, naming the firm.
      const stranger = await matchEnterprise(
        lookup,
        { name: '湖州安吉白茶有限公司', nameFromText: true },
        { phone: '13800009999' },
        '短信',
      );
      expect(stranger.enterprise?.id).to.equal('b');
      // From a's registered mobile, the text's name stays a's message (it may be the company complained about).
      const owner = await matchEnterprise(
        lookup,
        { name: '湖州安吉白茶有限公司', nameFromText: true },
        { phone: '13905721234' },
        '短信',
      );
      expect(owner.enterprise?.id).to.equal('a');
      // A name the register does not know: a provisional enterprise named by its writer, not by the guess.
      const unknown = await matchEnterprise(
        lookup,
        { name: '某某新材料有限公司', nameFromText: true },
        { phone: '13800009999' },
        '短信',
      );
      expect(unknown.enterprise).to.equal(null);
      if (unknown.enterprise === null) expect(unknown.provisional.name).to.equal('待确认企业（138****9999）');
    });

    it('the mobile’s enterprise stands when the name is its own (short form), or one the register does not know', async () => {
      const own = await matchEnterprise(lookup, { name: '德清绿源竹业' }, { phone: '13905721234' }, '短信');
      expect(own).to.deep.include({ by: 'mobile' });
      expect(own.enterprise?.id).to.equal('a');
      expect(looked, 'no name lookups for the name of the mobile’s own enterprise').to.deep.equal(['mobile']);
      const unknown = await matchEnterprise(lookup, { name: '某某新材料' }, { phone: '13905721234' }, '短信');
      expect(unknown).to.deep.include({ by: 'mobile' });
      expect(unknown.enterprise?.id).to.equal('a');
    });

    it('the short name finds the registered enterprise, not a provisional namesake an earlier message left', async () => {
      for (const name of ['德清绿源竹业', '德清绿源竹业集团']) {
        const r = await matchEnterprise(lookup, { name }, {}, '浙里办');
        expect(r.enterprise?.id, name).to.equal('a');
        expect(r, name).to.deep.include({ by: 'name_key' });
      }
    });

    it('two provisional namesakes are no answer: another provisional enterprise, for the centre to merge', async () => {
      const r = await matchEnterprise(lookup, { name: '长兴星河电子股份有限公司' }, {}, '浙里办');
      expect(r.enterprise).to.equal(null);
      expect(looked).to.deep.equal(['name', 'name_key']);
    });

    it('an unknown valid credit code becomes a provisional enterprise without trying the phone', async () => {
      const unknown = makeCreditCode('91330502MA0000001');
      const r = await matchEnterprise(
        lookup,
        { creditCode: unknown },
        { phone: '13905721234', name: '李四' },
        '12345热线',
      );
      expect(r.enterprise).to.equal(null);
      expect(looked).to.deep.equal(['credit_code']);
      if (r.enterprise === null) {
        expect(r.provisional).to.include({
          creditCode: unknown,
          region: 'wuxing',
          mobile: '13905721234',
          ownerName: '李四',
          provisional: true,
        });
        expect(r.provisional.name).to.include(unknown);
        expect(r.provisional.provisionalNote).to.include('12345热线');
      }
    });

    it('a provisional enterprise without a code is named by its writer, masked as a masked contact reads', () => {
      const named = (contact: Parameters<typeof provisionalEnterprise>[1]) =>
        provisionalEnterprise({}, contact, '短信').name;
      expect(named({ phone: '13800001111' })).to.equal('待确认企业（138****1111）');
      expect(named({ email: 'wang@unknown-co.cn' })).to.equal('待确认企业（w***@unknown-co.cn）');
      expect(named({ name: '李明', phone: '13800001111' })).to.equal('待确认企业（李**）');
      expect(named({ openid: 'oABCDEFG0001' })).to.equal('待确认企业（短信用户…0001）');
      // The contact itself is kept whole, for the centre to call or confirm.
      expect(provisionalEnterprise({}, { phone: '13800001111', name: '李明' }, '短信')).to.include({
        mobile: '13800001111',
        ownerName: '李明',
      });
    });
  });
});

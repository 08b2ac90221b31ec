// The synonym table (server/text/synonyms.ts, config/synonyms.ts): a word of a group is read as the group's
// first word, longest words first; the default list passes the schema the admin's list is checked with; read
// with the default groups, a 12345 work order and a WeChat line about one thing share its word.
import { expect } from 'chai';
import { DEFAULT_SYNONYMS } from '../../../config/synonyms.ts';
import { synonymsSettingSchema } from '../../../shared/schemas.ts';
import { clusterTokens } from '../../../server/text/cluster.ts';
import { canonicalise, compileSynonyms, DEFAULT_COMPILED_SYNONYMS } from '../../../server/text/synonyms.ts';

describe('text: synonyms', () => {
  it('reads every word of a group as its first word, the longest match first', () => {
    const s = compileSynonyms([
      ['红绿灯', '交通信号灯', '信号灯'],
      ['滑坡', '山体滑坡', '塌方'],
    ]);
    expect(canonicalise('路口交通信号灯故障', s)).to.equal('路口红绿灯故障');
    expect(canonicalise('信号灯不亮', s)).to.equal('红绿灯不亮');
    expect(canonicalise('后山山体滑坡，昨天又塌方', s)).to.equal('后山滑坡，昨天又滑坡');
    expect(canonicalise('红绿灯坏了', s)).to.equal('红绿灯坏了');
  });

  it('matches the normalised text: full-width and upper-case words of the list still apply', () => {
    const s = compileSynonyms([['5g信号', '５Ｇ网络']]);
    expect(canonicalise('厂里5g网络很差', s)).to.equal('厂里5g信号很差');
  });

  it('an empty list changes nothing', () => {
    expect(canonicalise('交通信号灯故障', compileSynonyms([]))).to.equal('交通信号灯故障');
  });

  it('the default list is valid as a stored setting (no word in two groups)', () => {
    const parsed = synonymsSettingSchema.safeParse(DEFAULT_SYNONYMS);
    expect(parsed.success, JSON.stringify(parsed.error?.issues[0])).to.equal(true);
  });

  it('tokens of two wordings read with the default groups share the group word', () => {
    const letter = clusterTokens('企业厂区外路口交通信号灯故障已逾三日', DEFAULT_COMPILED_SYNONYMS);
    const wechat = clusterTokens('厂外面那个路口的红绿灯三天没亮了', DEFAULT_COMPILED_SYNONYMS);
    expect(letter).to.include('红绿灯');
    expect(wechat).to.include('红绿灯');
    // Clustering reads no synonyms by default (they cost recall on the development set).
    expect(clusterTokens('交通信号灯故障')).not.to.include('红绿灯');
  });
});

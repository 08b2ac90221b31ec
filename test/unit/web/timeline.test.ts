// The staff timeline's words for a step and for who took it (web lib/timeline).
import { expect } from 'chai';
import { actionLabel, who } from '../../../web/src/lib/timeline.ts';

const entry = (over: Partial<Parameters<typeof actionLabel>[0]>) => ({
  action: 'note' as const,
  actorRole: 'handler' as const,
  actorName: '王敏',
  data: null,
  ...over,
});

describe('staff timeline words (web lib/timeline)', () => {
  it('names the owner’s 补充材料 and the enterprise by its name, not 企业（扫码）（企业）', () => {
    const supplement = entry({
      actorRole: 'enterprise',
      actorName: '南浔海纳织造有限公司',
      data: { kind: 'enterprise_supplement' },
    });
    expect(actionLabel(supplement)).to.equal('企业补充材料');
    expect(who(supplement)).to.equal('南浔海纳织造有限公司');
    expect(who(entry({ actorRole: 'enterprise', actorName: '' }))).to.equal('企业（扫码）');
  });

  it('keeps the lifecycle’s labels and the people’s names otherwise', () => {
    expect(actionLabel(entry({}))).to.equal('办理进展');
    expect(actionLabel(entry({ action: 'dispatch', data: { redispatch: true } }))).to.equal('重新分办');
    expect(who(entry({}))).to.equal('王敏');
    expect(who(entry({ actorRole: 'system', actorName: '系统' }))).to.equal('系统自动');
  });
});

// The staff timeline's words for a step and for who took it (web lib/timeline).
import { expect } from 'chai';
import {
  actionLabel,
  mergedIntoNumber,
  reclassifyChanges,
  unitLabelOf,
  who,
  withdrawnRequest,
} from '../../../web/src/lib/timeline.ts';

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
    // The sweep's reminder to sign for an issue (催签) is an urge with a target; a plain urge stays 催办.
    expect(actionLabel(entry({ action: 'urge', data: { target: 'sign', step: 'remind_sign' } }))).to.equal(
      '催签',
    );
    expect(actionLabel(entry({ action: 'urge', data: { warning: 'yellow' } }))).to.equal('催办');
    expect(actionLabel(entry({ action: 'urge', data: { target: 'rating_check' } }))).to.equal('催办差评核实');
    // The sweep's 督办 at the red light on an issue a supervisor had already supervised tells the oversight.
    expect(actionLabel(entry({ action: 'supervise', data: { warning: 'red', redAlert: true } }))).to.equal(
      '亮红灯，告知督查',
    );
    expect(actionLabel(entry({ action: 'supervise', data: { warning: 'red' } }))).to.equal('督办');
    expect(who(entry({}))).to.equal('王敏');
    expect(who(entry({ actorRole: 'system', actorName: '系统' }))).to.equal('系统自动');
  });

  it('says what a 重新分类 changed, not only why', () => {
    const reclassify = (from: object, to: object) =>
      reclassifyChanges({ action: 'reclassify', data: { from, to, unitId: 'u1' } });
    expect(
      reclassify({ category: 'policy', urgency: 'critical' }, { category: 'enforcement', urgency: 'urgent' }),
    ).to.deep.equal(['类别：政策兑现 → 执法检查', '紧急程度：特急 → 紧急']);
    expect(
      reclassify({ category: 'policy', urgency: 'critical' }, { category: 'policy', urgency: 'urgent' }),
    ).to.deep.equal(['紧急程度：特急 → 紧急']);
    expect(
      reclassify({ category: 'policy', urgency: 'normal' }, { category: 'enforcement', urgency: 'normal' }),
    ).to.deep.equal(['类别：政策兑现 → 执法检查']);
    // Other steps, and entries written without from/to, add nothing.
    expect(reclassifyChanges({ action: 'reclassify', data: null })).to.deep.equal([]);
    expect(
      reclassifyChanges({ action: 'note', data: { from: {}, to: { urgency: 'urgent' } } }),
    ).to.deep.equal([]);
  });

  it('names a pending request a step ended without a decision', () => {
    expect(withdrawnRequest({ data: { withdrawn: 'extension', late: false } })).to.equal(
      '待审批的延期申请随之撤销',
    );
    expect(withdrawnRequest({ data: { withdrawn: 'suspend' } })).to.equal('待审批的挂起申请随之撤销');
    expect(withdrawnRequest({ data: { late: false } })).to.equal(null);
    expect(withdrawnRequest({ data: null })).to.equal(null);
  });

  it('names the issue a merge went into, from the last merge entry', () => {
    const merge = (intoNumber?: string) => ({ action: 'merge' as const, data: { intoId: 'x', intoNumber } });
    expect(mergedIntoNumber([{ action: 'create', data: null }, merge('HZ-2026-000100')])).to.equal(
      'HZ-2026-000100',
    );
    expect(mergedIntoNumber([merge()])).to.equal(null);
    expect(mergedIntoNumber([])).to.equal(null);
  });

  it('names what the unit of a step is to the issue: the lead unit, a co-unit added, a consulted unit', () => {
    expect(unitLabelOf('dispatch')).to.equal('承办单位');
    expect(unitLabelOf('decide')).to.equal('承办单位');
    expect(unitLabelOf('add_co_unit')).to.equal('新增协办单位');
    expect(unitLabelOf('consult_input')).to.equal('提交意见单位');
  });
});

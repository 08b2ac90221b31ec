// The monthly report's sentence on the department to watch: the lowest 按期办结率 below 100 %, else the most
// overdue, else none. The leader walk-through read 按期办结率最低的部门是市科学技术局（100.0%，超期 0 件），需重点督办
// when that department was the only one with closings, while another had an overdue issue.
import { expect } from 'chai';
import { departmentToWatch, type KpiRow } from '../../../web/src/lib/kpis.ts';

function row(name: string, onTimeRate: number | null, overdue = 0): KpiRow {
  return {
    key: name,
    name,
    received: 5,
    closed: 0,
    backlog: 0,
    overdue,
    satisfactionRate: null,
    signTimelyRate: null,
    onTimeRate,
    oneTimeRate: null,
    repeatRate: null,
    returnRate: null,
    rectificationRate: null,
  };
}

describe('monthly report: the department to watch (departmentToWatch)', () => {
  it('names the lowest on-time rate below 100 %, whatever the rows’ order', () => {
    const text = departmentToWatch([row('甲', 1), row('乙', 0.8, 2), row('丙', 0.5, 1), row('丁', null, 4)]);
    expect(text).to.equal('按期办结率最低的部门是丙（50.0%，超期 1 件），需重点督办。');
  });

  it('with every closing on time, names the most overdue instead of a department at 100 %', () => {
    const text = departmentToWatch([row('市科学技术局', 1), row('吴兴区企业综合服务中心', null, 1)]);
    expect(text).to.equal(
      '本月办结的问题均按期办结；在办超期最多的是吴兴区企业综合服务中心（1 件），需重点督办。',
    );
  });

  it('names every department tied at the lowest rate, or at the most overdue', () => {
    const text = departmentToWatch([row('吴兴区', 0.5, 4), row('长兴县', 0.833, 3), row('南浔区', 0.5, 2)]);
    expect(text).to.equal(
      '按期办结率最低的部门是吴兴区（50.0%，超期 4 件）、南浔区（50.0%，超期 2 件），需重点督办。',
    );
    expect(departmentToWatch([row('甲', 1, 2), row('乙', null, 2), row('丙', null, 1)])).to.equal(
      '本月办结的问题均按期办结；在办超期最多的是甲（2 件）、乙（2 件），需重点督办。',
    );
  });

  it('says nothing when all is on time and nothing is overdue', () => {
    expect(departmentToWatch([row('甲', 1), row('乙', null)])).to.equal('');
    expect(departmentToWatch([])).to.equal('');
  });
});

// The user form's note on 区域 says it decides a county's red and overdue notices only for a leader: a 督查 in a
// county unit was told it did, though a supervisor's reach is the city (b5c14ee).
import { expect } from 'chai';
import { regionNote } from '../../../web/src/lib/region-note.ts';

describe('user form: the note on 区域 (region-note)', () => {
  it('a leader in a county unit: the unit’s county decides which red and overdue notices they get', () => {
    expect(regionNote('leader', true)).to.equal(
      '区域随所属单位所在区县，决定该领导收到哪个区县的红灯、超期通知。',
    );
  });

  it('anyone else in a unit: the region follows the unit and decides nothing', () => {
    expect(regionNote('supervisor', true)).to.equal(
      '区域随所属单位所在区县，不影响督查的工作范围和收到的通知。',
    );
    for (const role of ['clerk', 'dispatcher', 'director', 'handler', 'unit_head'] as const) {
      expect(regionNote(role, true), role).to.not.include('红灯');
    }
  });

  it('without a unit, a role other than leader works city-wide', () => {
    expect(regionNote('supervisor', false)).to.equal('督查的工作范围为全市，不设区域。');
  });

  it('a handler or unit head not yet in a unit: the unit is still to choose, and their work is its issues', () => {
    // The note said 经办人的工作范围为全市 while the form waited for the unit every handler must belong to.
    expect(regionNote('handler', false)).to.equal(
      '经办人须选择所属单位，只办理该单位的工单；区域随单位所在区县。',
    );
    expect(regionNote('unit_head', false)).to.not.include('全市');
  });
});

// A list row's 承办单位: its unit, or why it has none yet (a supervisor's 督办中 list showed "—" for issues a
// leader-tier consultation was still to settle).
import { expect } from 'chai';
import { handlingUnitOf } from '../../../web/src/lib/format.ts';

describe('web: the handling unit a row shows', () => {
  it('names the unit, or says the issue waits for dispatch or for its consultation', () => {
    expect(handlingUnitOf({ unitName: '市发展和改革委员会', state: 'consulting' })).to.equal(
      '市发展和改革委员会',
    );
    expect(handlingUnitOf({ unitName: null, state: 'received' })).to.equal('待分办');
    expect(handlingUnitOf({ unitName: null, state: 'consulting' })).to.equal('待会商确定');
    expect(handlingUnitOf({ unitName: null, state: 'merged' })).to.equal('—');
  });
});

// The owner's PIN rule, shared by the 设置企业 PIN dialog and the API: six digits, and none a stranger tries first.
import { expect } from 'chai';
import { isGuessablePin, pinProblem } from '../../../shared/pin.ts';

describe('shared: the owner PIN rule', () => {
  it('refuses what is not six digits, and the PINs tried first (runs, repeats, halves)', () => {
    expect(pinProblem('12345')).to.equal('PIN 须为6位数字');
    expect(pinProblem('12a456')).to.equal('PIN 须为6位数字');
    for (const pin of ['123456', '987654', '890123', '111111', '121212', '123123'])
      expect(pinProblem(pin), pin).to.match(/^PIN 过于简单/);
    expect(isGuessablePin('482915')).to.equal(false);
    expect(pinProblem('482915')).to.equal(null);
  });
});

// The channel's own number beside 来源渠道 (web lib/format): a number staff can quote back is shown; a mail's
// Message-ID, a WeChat MsgId and the QR page's form id are not (a handler's phone showed a raw Message-ID).
import { expect } from 'chai';
import { quotableExternalId } from '../../../web/src/lib/format.ts';

describe('the channel’s own number (web lib/format quotableExternalId)', () => {
  it('shows a 12345 work order or a 浙里办 case number, nothing for a mail, a WeChat message or the QR form', () => {
    expect(quotableExternalId('hotline12345', 'WO-2026-1204-0007')).to.equal('WO-2026-1204-0007');
    expect(quotableExternalId('zheliban', 'ZLB-2026-0042')).to.equal('ZLB-2026-0042');
    expect(quotableExternalId('email', '<CAFx1@mail.example.com>')).to.equal(null);
    expect(quotableExternalId('wechat', '24538112345678')).to.equal(null);
    expect(quotableExternalId('qr', 'qr:6b14…:abcdefabcdefabcdef')).to.equal(null);
    expect(quotableExternalId('window', '')).to.equal(null);
  });
});

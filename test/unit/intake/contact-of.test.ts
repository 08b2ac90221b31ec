// The contact an issue keeps from a channel's message, pure: a mainland mobile however the gateway wrote it is
// kept as its 11 digits (the number SMS answers go to and the outbox masks), a landline as written; a number
// that is not a contact number (12345, a foreign one, 请回电) only as text beside it, never as the one to call.
import { expect } from 'chai';
import { contactOf } from '../../../server/intake/issue-from-message.ts';

describe('the contact kept from a message', () => {
  it('keeps a mainland mobile as 11 digits, without +86, spaces or dashes', () => {
    for (const written of ['+86 139-5920-8658', '+8613959208658', '86 139 5920 8658', ' 139-5920-8658 '])
      expect(contactOf({ phone: written })).to.deep.equal({ phone: '13959208658' });
  });

  it('keeps a landline as written, and drops empty fields', () => {
    expect(contactOf({ name: ' 李经理 ', phone: '0572-2345678', email: '' })).to.deep.equal({
      name: '李经理',
      phone: '0572-2345678',
    });
    expect(contactOf({ phone: '0572 2345678转801' })).to.deep.equal({ phone: '0572 2345678转801' });
    expect(contactOf({ phone: '  ' })).to.equal(null);
  });

  it('keeps a number that is not a contact number as text only: the message is filed, nobody dials it', () => {
    // A foreign number was kept as the phone before the rule (a mainland mobile or landline, maybe +86).
    for (const written of ['12345', '+1 415 555 0100', '请回电', '1395920865'])
      expect(contactOf({ name: '李经理', phone: written })).to.deep.equal({
        name: '李经理',
        phoneText: written,
      });
  });
});

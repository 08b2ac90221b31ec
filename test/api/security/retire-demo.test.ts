// A database seeded in demo mode, started outside demo mode: the demo accounts still on demo1234 stop logging
// in (their sessions end), the seeded channel credentials stop authenticating, an account whose password was
// changed keeps working, and ADMIN_USERNAME=admin brings the disabled demo admin back with the configured
// password.
import { expect } from 'chai';
import request from 'supertest';
import { bootstrapAdmin } from '../../../server/auth/bootstrap-admin.ts';
import { hashPassword } from '../../../server/auth/password.ts';
import { channelSecretKeyOf, credentialSourceFor } from '../../../server/channels/credentials.ts';
import { seedDemoChannelCredentials } from '../../../server/channels/demo-credentials.ts';
import { retireDemoAccess } from '../../../server/seed/retire-demo.ts';
import { expectError, TEST_HASH, useTestApp } from '../helpers.ts';

describe('outside demo mode, the demo accounts and credentials of a demo-seeded database', () => {
  const t = useTestApp();

  const zheliban = () =>
    request(t.app)
      .post('/api/intake/zheliban')
      .set('X-Api-Key', 'demo-zheliban-key')
      .send({ externalId: 'ZLB-RETIRE-1', creditCode: 'x', title: 't', content: 'c' });
  const login = (username: string, password: string) =>
    request(t.app).post('/api/auth/login').send({ username, password });

  it('are disabled and revoked at start-up; changed passwords and other data stay', async () => {
    await seedDemoChannelCredentials(t.models, channelSecretKeyOf(t.config), t.clock);
    const clerkToken = await t.login('clerk');
    expect((await zheliban()).body.error.code).to.equal('invalid_credit_code');
    await t.models.User.updateOne(
      { username: 'dispatcher' },
      { $set: { passwordHash: await hashPassword('a-changed-password', TEST_HASH) } },
    );
    const users = await t.models.User.countDocuments();

    const retired = await retireDemoAccess(t.models, t.clock);
    // Start-up retires them before the app answers anything; this app has cached the credentials already.
    credentialSourceFor(t.models, channelSecretKeyOf(t.config)).invalidate();

    expect(retired.accounts).to.include.members(['admin', 'clerk', 'handler-city-econ']);
    expect(retired.accounts).to.not.include('dispatcher');
    expect(retired.credentials).to.equal(5);
    for (const username of ['clerk', 'admin']) {
      expectError(await login(username, 'demo1234'), 403, 'account_disabled');
    }
    expect((await login('dispatcher', 'a-changed-password')).status).to.equal(200);
    const me = request(t.app).get('/api/me');
    expect((await me.set('authorization', `Bearer ${clerkToken}`)).status).to.equal(401);
    expectError(await zheliban(), 401, 'api_key_revoked');
    expect(await t.models.User.countDocuments()).to.equal(users);
    // Nothing left to retire on the next start.
    expect(await retireDemoAccess(t.models, t.clock)).to.deep.equal({ accounts: [], credentials: 0 });
  });

  it('ADMIN_USERNAME names the disabled demo admin: enabled again, with the configured password only', async () => {
    const admin = await bootstrapAdmin(t.models, 'admin', 'a-long-first-password');
    expect(admin?.username).to.equal('admin');
    expect((await login('admin', 'a-long-first-password')).status).to.equal(200);
    expect((await login('admin', 'demo1234')).status).to.equal(401);
    // An enabled admin exists now: the setting does nothing more.
    expect(await bootstrapAdmin(t.models, 'admin2', 'another-long-password')).to.equal(undefined);
  });
});

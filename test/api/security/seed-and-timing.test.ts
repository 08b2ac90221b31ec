// Finding 8: two processes seeding an empty database at once both succeed (no E11000 crash), and only one
// seeds the demo issues. Finding 11: every login path costs the same KDF work: demo accounts are hashed with
// the same parameters as every other password and as the dummy hash unknown usernames are checked against.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import {
  DEMO_CHANNEL_CREDENTIALS,
  seedDemoChannelCredentials,
} from '../../../server/channels/demo-credentials.ts';
import { DEFAULT_SCRYPT, dummyPasswordHash, hashParamsOf } from '../../../server/auth/password.ts';
import { seedDemo, seedDemoOnce } from '../../../server/seed/index.ts';
import { seedUsers } from '../../../server/seed/users.seed.ts';
import { TEST_HASH, useTestApp } from '../helpers.ts';

describe('seeding under concurrency (finding 8)', () => {
  const t = useTestApp({ seed: false });

  it('two processes seeding the same empty database at once both succeed, with one copy of everything', async () => {
    const [a, b] = await Promise.all([
      seedDemo(t.models, t.clock, { hashParams: TEST_HASH, issues: false }),
      seedDemo(t.models, t.clock, { hashParams: TEST_HASH, issues: false }),
    ]);
    expect(a.accounts.length).to.equal(b.accounts.length);
    expect(await t.models.User.countDocuments()).to.equal(a.accounts.length);
    expect(await t.models.User.countDocuments({ username: 'admin' })).to.equal(1);
    expect(await t.models.Enterprise.countDocuments()).to.equal(a.enterprises.length);
  });
});

describe('seeding demo channel credentials under concurrency (finding 8)', () => {
  const t = useTestApp({ seed: false });

  it('two processes seeding them at once both succeed, with one copy of each', async () => {
    const key = randomBytes(32);
    const [a, b] = await Promise.all([
      seedDemoChannelCredentials(t.models, key, t.clock),
      seedDemoChannelCredentials(t.models, key, t.clock),
    ]);
    expect(a).to.equal(DEMO_CHANNEL_CREDENTIALS.length);
    expect(b).to.equal(DEMO_CHANNEL_CREDENTIALS.length);
    const rows = await t.models.ChannelCredential.find({}, { channel: 1 }).lean();
    expect(rows.map((r) => r.channel).sort()).to.deep.equal(
      DEMO_CHANNEL_CREDENTIALS.map((c) => c.channel).sort(),
    );
    expect(await seedDemoChannelCredentials(t.models, key, t.clock)).to.equal(0);
  });
});

describe('seeding the demo once (finding 8)', () => {
  const t = useTestApp({ seed: false });

  it('of two processes starting together, one seeds and the other waits for it', async () => {
    const options = { hashParams: TEST_HASH, issues: false };
    const results = await Promise.all([
      seedDemoOnce(t.models, t.clock, options),
      seedDemoOnce(t.models, t.clock, options),
    ]);
    expect(results.filter((r) => r !== undefined)).to.have.length(1);
    expect(await t.models.User.countDocuments({ username: 'admin' })).to.equal(1);
  });
});

describe('the same login cost on every path (finding 11)', () => {
  const t = useTestApp({ seed: false });

  it('demo accounts are hashed with the default KDF parameters, like the dummy hash', async function () {
    this.timeout(60_000);
    const unit = await t.models.Unit.create({
      code: 'timing-unit',
      name: '计时测试单位',
      level: 'city',
      region: '330500',
    });
    await seedUsers(t.models, [unit.toObject()]);
    const users = await t.models.User.find({}, { passwordHash: 1 }).lean();
    expect(users.length).to.be.greaterThan(2);
    for (const u of users) expect(hashParamsOf(u.passwordHash)).to.deep.equal(DEFAULT_SCRYPT);
    expect(hashParamsOf(await dummyPasswordHash())).to.deep.equal(DEFAULT_SCRYPT);
  });
});

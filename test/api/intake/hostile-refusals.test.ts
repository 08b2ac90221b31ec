// A 12345 work order refused as hostile input (a NUL in its text, a `$gt` or `__proto__` key) still names its
// order: the dead letter keeps the orderId, so staff find it by number, and the platform's corrected resend is
// filed on that same entry (one inbox entry, one issue), as for any other refusal. An id that is itself hostile
// (not a plain text) is not kept.
import { expect } from 'chai';
import request from 'supertest';
import { channelSecretKeyOf } from '../../../server/channels/credentials.ts';
import { seedDemoChannelCredentials } from '../../../server/channels/demo-credentials.ts';
import { signBody } from '../../../server/channels/signature.ts';
import { expectError } from '../helpers.ts';
import { enterpriseIn, useIssueApp } from '../issues/fixtures.ts';

describe('hotline12345: a hostile body keeps its orderId on the dead letter', () => {
  const t = useIssueApp();
  let ts = Math.floor(Date.now() / 1000);

  before(async () => {
    await seedDemoChannelCredentials(t.models, channelSecretKeyOf(t.config), t.clock);
  });

  /** A raw body (a string, so a `__proto__` key stays a key), newly signed each time. */
  const send = (raw: string) => {
    ts += 1;
    return request(t.app)
      .post('/api/intake/hotline12345')
      .set('Content-Type', 'application/json')
      .set('X-Timestamp', String(ts))
      .set('X-Signature', signBody('demo-hotline12345-secret', ts, raw))
      .send(raw);
  };
  const entriesOf = (externalId: string) =>
    t.models.InboxEntry.find({ channel: 'hotline12345', externalId }).lean();

  const cases = [
    { name: 'a NUL in the text', orderId: 'WO-NUL-1', extra: '', content: '园区门口\\u0000积水' },
    { name: 'a $gt key', orderId: 'WO-OP-1', extra: ',"note":{"$gt":""}', content: '厂区道路路灯不亮' },
    {
      name: 'a __proto__ key',
      orderId: 'WO-PROTO-1',
      extra: ',"__proto__":{"x":1}',
      content: '用电增容申请未答复',
    },
  ];
  cases.forEach((c, i) =>
    it(`${c.name}: the dead letter keeps ${c.orderId}; the corrected resend is filed on it`, async () => {
      const creditCode = enterpriseIn(t, 'nanxun', i).creditCode;
      const head = `{"orderId":"${c.orderId}","creditCode":"${creditCode}"`;
      expectError(await send(`${head},"content":"${c.content}"${c.extra}}`), 400, 'hostile_input');
      const [letter] = await entriesOf(c.orderId);
      expect(letter, 'the dead letter is found by its order number').to.include({ status: 'failed' });
      expect(letter.reason).to.match(/^hostile_input: /);

      const text = `${c.content.replace('\\u0000', '')}，企业多次反映仍未处理，请尽快协调解决。`;
      const fixed = await send(`${head},"content":"${text}"}`).expect(200);
      expect(fixed.body).to.include({ status: 'created', inboxId: String(letter._id) });
      const entries = await entriesOf(c.orderId);
      expect(entries).to.have.length(1);
      expect(entries[0]).to.include({ status: 'processed', number: fixed.body.number });
      expect(await t.models.Issue.countDocuments({ externalId: c.orderId })).to.equal(1);
    }),
  );

  it('an id that is itself hostile or not a plain text is not kept', async () => {
    const before = await t.models.InboxEntry.countDocuments({ status: 'failed', externalId: null });
    for (const raw of [
      '{"orderId":"WO\\u0000X","content":"园区积水"}',
      '{"orderId":{"$gt":""},"content":"园区积水"}',
      '{"__proto__":{"orderId":"WO-HIDDEN"},"content":"a\\u0000b"}',
    ])
      expectError(await send(raw), 400, 'hostile_input');
    expect(await t.models.InboxEntry.countDocuments({ status: 'failed', externalId: null })).to.equal(
      before + 3,
    );
    expect(await entriesOf('WO-HIDDEN')).to.have.length(0);
  });
});

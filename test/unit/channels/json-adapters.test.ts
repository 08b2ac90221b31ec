// The JSON channel adapters and their verification, pure, with payloads as the platforms send them.
import { expect } from 'chai';
import { makeCreditCode } from '../../../shared/credit-code.ts';
import { hotline12345Adapter } from '../../../server/channels/hotline12345/hotline12345.adapter.ts';
import { zhelibanAdapter } from '../../../server/channels/zheliban/zheliban.adapter.ts';
import { discoveryAdapter } from '../../../server/channels/discovery/discovery.adapter.ts';
import { reviewAdapter } from '../../../server/channels/review/review.adapter.ts';
import { topLevelText } from '../../../server/channels/json-channel.ts';
import { smsAdapter } from '../../../server/channels/sms/sms.adapter.ts';
import { signBody, verifyApiKey, verifyHmac } from '../../../server/channels/signature.ts';
import {
  decryptSecret,
  encryptSecret,
  hashApiKey,
  snapshotOfCredentials,
} from '../../../server/channels/credentials.ts';
import { ChannelRefusal, type AdapterRequest } from '../../../server/channels/types.ts';
import { AppError } from '../../../server/errors.ts';
import type { ChannelCredentialDoc } from '../../../server/models/channel-credential.model.ts';
import { Types } from 'mongoose';

const CODE = makeCreditCode('91330521MA2B3C4D5');
const NOW = new Date('2026-03-02T01:00:00Z');
const body = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v), 'utf8');

function refused(run: () => unknown, code: string, status = 400): ChannelRefusal {
  try {
    run();
  } catch (err) {
    expect(err).to.be.instanceOf(ChannelRefusal);
    expect((err as ChannelRefusal).code).to.equal(code);
    expect((err as ChannelRefusal).status).to.equal(status);
    expect((err as ChannelRefusal).message).to.match(/[\u4e00-\u9fa5]/);
    return err as ChannelRefusal;
  }
  throw new Error(`expected refusal ${code}`);
}

describe('JSON channel adapters', () => {
  it('hotline12345: a real work order becomes one inbound message', () => {
    const order = {
      orderId: 'HZ12345-20260302-000731',
      creditCode: CODE.toLowerCase(),
      enterpriseName: '德清绿源竹业有限公司',
      contactName: '王建国',
      contactPhone: '13905721234',
      title: '厂区周边道路货车限行',
      content: '来电人反映：厂区门口道路自3月起禁止货车通行，原料无法进厂，请求协调。',
      urgency: '紧急',
      receivedAt: '2026-03-02T08:55:00+08:00',
      operator: '话务员0731',
    };
    const msg = hotline12345Adapter.parse(body(order), NOW);
    expect(msg).to.deep.equal({
      channel: 'hotline12345',
      externalId: 'HZ12345-20260302-000731',
      receivedAt: new Date('2026-03-02T00:55:00Z'),
      // When the enterprise raised it on the platform: the 来件时间.
      raisedAt: new Date('2026-03-02T00:55:00Z'),
      title: '厂区周边道路货车限行',
      content: order.content,
      urgency: 'urgent',
      enterprise: { creditCode: CODE, name: '德清绿源竹业有限公司' },
      contact: { name: '王建国', phone: '13905721234' },
    });
  });

  it('empty strings and nulls count as not given', () => {
    const msg = hotline12345Adapter.parse(
      body({ orderId: 'W1', creditCode: '', enterpriseName: null, content: '内容', urgency: '' }),
      NOW,
    );
    expect(msg.enterprise).to.deep.equal({});
    expect(msg).to.not.have.property('urgency');
  });

  it('refuses malformed JSON, missing fields, an invalid credit code and a 100 KB title with stable codes', () => {
    refused(() => hotline12345Adapter.parse(body('{"orderId": "W1", '), NOW), 'invalid_json');
    refused(() => hotline12345Adapter.parse(body('[1,2]'), NOW), 'invalid_json');
    refused(() => hotline12345Adapter.parse(Buffer.alloc(0), NOW), 'invalid_json');
    const missing = refused(() => hotline12345Adapter.parse(body({ orderId: 'W1' }), NOW), 'missing_field');
    expect(missing.message).to.include('content');
    refused(() => hotline12345Adapter.parse(body({ content: 'x' }), NOW), 'missing_field');
    refused(
      () =>
        hotline12345Adapter.parse(
          body({ orderId: 'W1', content: 'x', creditCode: '91330521MA2B3C4D5X' }),
          NOW,
        ),
      'invalid_credit_code',
    );
    const long = refused(
      () =>
        hotline12345Adapter.parse(body({ orderId: 'W1', content: 'x', title: '长'.repeat(100_000) }), NOW),
      'invalid_field',
    );
    expect(long.message).to.include('title');
    refused(
      () => hotline12345Adapter.parse(body({ orderId: 'W1', content: { $gt: '' } }), NOW),
      'hostile_input',
    );
    refused(
      () => hotline12345Adapter.parse(body({ orderId: 'W1', content: 'x', urgency: 'asap' }), NOW),
      'invalid_field',
    );
    refused(
      () => hotline12345Adapter.parse(body({ orderId: 'W1', content: 'x', receivedAt: 'yesterday' }), NOW),
      'invalid_field',
    );
    // Ahead of the arrival by more than a clock's skew, or more than a year back: the platform's mistake.
    for (const receivedAt of ['2026-03-02T01:10:00Z', '2025-02-01T00:00:00Z'])
      refused(
        () => hotline12345Adapter.parse(body({ orderId: 'W1', content: '厂区停电', receivedAt }), NOW),
        'invalid_received_at',
      );
    expect(
      hotline12345Adapter.parse(
        body({ orderId: 'W1', content: '厂区停电', receivedAt: '2026-03-02T01:04:00Z' }),
        NOW,
      ).raisedAt,
    ).to.deep.equal(new Date('2026-03-02T01:04:00Z'));
  });

  it('refuses an order that only greets, thanks or says a problem is to come, unless its title says what', () => {
    for (const over of [
      { content: '你好' },
      { content: 'x' },
      { content: '您好，我们有问题要反映', title: '你好' },
    ])
      refused(() => hotline12345Adapter.parse(body({ orderId: 'W1', ...over }), NOW), 'no_complaint', 422);
    refused(
      () => zhelibanAdapter.parse(body({ externalId: 'Z1', content: '谢谢' }), NOW),
      'no_complaint',
      422,
    );
    expect(
      hotline12345Adapter.parse(body({ orderId: 'W1', title: '路灯不亮', content: '你好' }), NOW).content,
    ).to.include('你好');
  });

  it('refuses hostile shapes anywhere: $-keys, _bsontype, __proto__, NUL characters', () => {
    const base = { orderId: 'W1', content: '内容' };
    refused(
      () => hotline12345Adapter.parse(body({ ...base, extra: { nested: [{ $where: '1' }] } }), NOW),
      'hostile_input',
    );
    refused(
      () => hotline12345Adapter.parse(body({ ...base, meta: { _bsontype: 'ObjectID', id: 'x' } }), NOW),
      'hostile_input',
    );
    refused(
      () => hotline12345Adapter.parse(body('{"orderId":"W1","content":"x","__proto__":{"admin":true}}'), NOW),
      'hostile_input',
    );
    refused(() => hotline12345Adapter.parse(body({ ...base, content: 'a\u0000b' }), NOW), 'hostile_input');
    // Script tags are text: stored as given and escaped wherever shown.
    const msg = hotline12345Adapter.parse(body({ ...base, content: '<script>alert(1)</script>' }), NOW);
    expect(msg.content).to.equal('<script>alert(1)</script>');
  });

  it('zheliban and discovery take the id as externalId', () => {
    const payload = {
      externalId: 'ZLB-2026-0042',
      enterpriseName: '安吉白茶有限公司',
      content: '申请的人才公寓迟迟未分配。',
    };
    expect(zhelibanAdapter.parse(body(payload), NOW)).to.include({
      channel: 'zheliban',
      externalId: 'ZLB-2026-0042',
    });
    expect(discoveryAdapter.parse(body(payload), NOW)).to.include({
      channel: 'discovery',
      externalId: 'ZLB-2026-0042',
    });
    refused(() => zhelibanAdapter.parse(body({ orderId: 'X', content: 'x' }), NOW), 'missing_field');
  });

  it('review: a bad rating push names the service in the title', () => {
    const msg = reviewAdapter.parse(
      body({
        reviewId: 'HCP-330500-20260301-0099',
        creditCode: CODE,
        serviceName: '工业项目竣工验收',
        departmentName: '德清县住建局',
        level: '非常不满意',
        content: '材料补正反复三次，每次意见不一样。',
        receivedAt: 1772409600,
      }),
      NOW,
    );
    expect(msg).to.deep.include({
      channel: 'review',
      externalId: 'HCP-330500-20260301-0099',
      title: '好差评非常不满意：德清县住建局·工业项目竣工验收',
      receivedAt: new Date(1772409600 * 1000),
    });
    // A good rating, which a platform pushing every rating sends too: refused without a dead letter (an
    // AppError, not a ChannelRefusal, which the route stores as one).
    expect(() => reviewAdapter.parse(body({ reviewId: 'R', content: 'x', level: '满意' }), NOW))
      .to.throw(AppError)
      .with.property('code', 'not_bad_rating');
    refused(
      () => reviewAdapter.parse(body({ reviewId: 'R', content: 'x', level: '一般' }), NOW),
      'invalid_field',
    );
    // A bad rating without a comment is one to follow up all the same.
    const bare = reviewAdapter.parse(
      body({ reviewId: 'R2', creditCode: CODE, serviceName: '排污许可', level: '非常不满意', content: '' }),
      NOW,
    );
    expect(bare.content).to.equal(
      '企业在「好差评」给出非常不满意（排污许可），未填写评价内容，请回访了解原因。',
    );
    // The caller's phone is an address the outbox may use: no line breaks, as for a work order's.
    refused(
      () => reviewAdapter.parse(body({ reviewId: 'R', content: 'x', contactPhone: '139\r\nBcc: x' }), NOW),
      'invalid_field',
    );
  });

  it('sms: the sender is the contact; a credit code in the text names the enterprise', () => {
    const msg = smsAdapter.parse(
      body({ msgId: 'SMS-88', from: '+8613905721234', text: `企业${CODE}反映：污水管网接入半年未批` }),
      NOW,
    );
    expect(msg).to.deep.include({ channel: 'sms', externalId: 'SMS-88', enterprise: { creditCode: CODE } });
    // The code names the enterprise and leaves the text (the title is made from it), as on WeChat and by mail.
    expect(msg.content).to.equal('企业 反映：污水管网接入半年未批');
    expect(msg.contact).to.deep.equal({ phone: '+8613905721234' });
    const mistyped = smsAdapter.parse(
      body({ msgId: 'SMS-89', from: '13905721234', text: '代码91330521MA2B3C4D5X无效' }),
      NOW,
    );
    expect(mistyped).to.deep.include({ enterprise: {}, content: '代码91330521MA2B3C4D5X无效' });
    refused(() => smsAdapter.parse(body({ msgId: 'S', from: 'evil', text: 'x' }), NOW), 'invalid_field');
  });

  it('acknowledges {number, status} in JSON', () => {
    const reply = hotline12345Adapter.reply({ inboxId: 'i', number: 'HZ-2026-000001', status: 'created' });
    expect(reply.status).to.equal(200);
    expect(JSON.parse(reply.body)).to.deep.equal({
      number: 'HZ-2026-000001',
      status: 'created',
      inboxId: 'i',
    });
    expect(hotline12345Adapter.reply({ inboxId: 'i', status: 'failed', reason: 'x' }).status).to.equal(202);
  });
});

describe('channel verification', () => {
  const secret = 'demo-hotline12345-secret';
  const raw = body({ orderId: 'W1', content: '内容' });
  const ts = Math.floor(NOW.getTime() / 1000);
  const req = (headers: Record<string, string>, now = NOW): AdapterRequest => ({
    method: 'POST',
    headers,
    query: {},
    rawBody: raw,
    now,
  });
  const secrets = [
    { id: 'old', secret: 'rotated-away-secret-000' },
    { id: 'c1', secret },
  ];

  it('accepts the HMAC of timestamp.body with any live secret', () => {
    const sig = signBody(secret, ts, raw);
    expect(
      verifyHmac(req({ 'x-timestamp': String(ts), 'x-signature': sig.toUpperCase() }), secrets),
    ).to.deep.equal({
      credentialId: 'c1',
      signature: sig,
      timestamp: ts,
    });
  });

  it('refuses missing, wrong, tampered and stale signatures', () => {
    const sig = signBody(secret, ts, raw);
    refused(() => verifyHmac(req({ 'x-timestamp': String(ts) }), secrets), 'signature_missing', 401);
    refused(
      () => verifyHmac(req({ 'x-timestamp': 'soon', 'x-signature': sig }), secrets),
      'timestamp_invalid',
      401,
    );
    refused(
      () =>
        verifyHmac(req({ 'x-timestamp': String(ts), 'x-signature': signBody('wrong', ts, raw) }), secrets),
      'signature_invalid',
      401,
    );
    refused(
      () => verifyHmac(req({ 'x-timestamp': String(ts + 1), 'x-signature': sig }), secrets),
      'signature_invalid',
      401,
    );
    refused(
      () => verifyHmac(req({ 'x-timestamp': String(ts), 'x-signature': 'abc' }), secrets),
      'signature_invalid',
      401,
    );
    const late = new Date(NOW.getTime() + 301_000);
    refused(
      () => verifyHmac(req({ 'x-timestamp': String(ts), 'x-signature': sig }, late), secrets),
      'timestamp_stale',
      401,
    );
    refused(
      () => verifyHmac(req({ 'x-timestamp': String(ts), 'x-signature': sig }), []),
      'signature_invalid',
      401,
    );
  });

  it('a whole number of seconds far off is stale, not invalid; only what is no timestamp is invalid', () => {
    const signedAt = (stamp: string) =>
      verifyHmac(req({ 'x-timestamp': stamp, 'x-signature': signBody(secret, stamp, raw) }), secrets);
    for (const stamp of ['1', '0', String(ts - 301), String(ts + 301), '99999999999'])
      expect(refused(() => signedAt(stamp), 'timestamp_stale', 401).message).to.contain('5分钟');
    for (const stamp of ['soon', '-1', '1.5', '1e9', String(ts).padEnd(20, '0')])
      expect(refused(() => signedAt(stamp), 'timestamp_invalid', 401).message).to.contain('Unix秒');
    // Milliseconds of now: a timestamp in the wrong unit, and said so.
    expect(refused(() => signedAt(String(ts * 1000)), 'timestamp_invalid', 401).message).to.contain('毫秒');
  });

  it('API keys: stored hashed; unknown, another channel’s and revoked keys are refused', () => {
    const key = Buffer.alloc(32, 7);
    const doc = (over: Partial<ChannelCredentialDoc>): ChannelCredentialDoc => ({
      _id: new Types.ObjectId(),
      channel: 'zheliban',
      kind: 'api_key',
      label: '',
      keyHash: null,
      secretEnc: null,
      hint: '',
      createdBy: 'admin',
      createdAt: NOW,
      revokedAt: null,
      revokedBy: null,
      ...over,
    });
    const live = doc({ keyHash: hashApiKey('demo-zheliban-key') });
    const snap = snapshotOfCredentials(key, [
      live,
      doc({ keyHash: hashApiKey('old-key'), revokedAt: NOW }),
      doc({ channel: 'discovery', keyHash: hashApiKey('demo-discovery-key') }),
      doc({ channel: 'hotline12345', kind: 'hmac', secretEnc: encryptSecret(key, secret) }),
    ]);
    const keyed = (k?: string) => req(k ? { 'x-api-key': k } : {});
    expect(verifyApiKey(keyed('demo-zheliban-key'), 'zheliban', snap)).to.deep.equal({
      credentialId: String(live._id),
    });
    refused(() => verifyApiKey(keyed(), 'zheliban', snap), 'api_key_missing', 401);
    refused(() => verifyApiKey(keyed('guess'), 'zheliban', snap), 'api_key_invalid', 401);
    refused(() => verifyApiKey(keyed('demo-discovery-key'), 'zheliban', snap), 'api_key_invalid', 401);
    refused(() => verifyApiKey(keyed('old-key'), 'zheliban', snap), 'api_key_revoked', 401);
    expect(snap.secrets('hotline12345').map((s) => s.secret)).to.deep.equal([secret]);
  });

  it('secrets are encrypted (authenticated): another key cannot read them', () => {
    const a = Buffer.alloc(32, 1);
    const stored = encryptSecret(a, 'demo-sms-secret');
    expect(stored).to.not.include('demo-sms-secret');
    expect(decryptSecret(a, stored)).to.equal('demo-sms-secret');
    expect(() => decryptSecret(Buffer.alloc(32, 2), stored)).to.throw();
  });
});

describe('channels: the id of a JSON body cut short (dead letters keep it)', () => {
  it('takes the outermost object’s own member, never a nested one of the same name', () => {
    expect(
      topLevelText('{"orderId":"WO-cut1","contactName":"赵六","content":"厂区门口道路积', 'orderId'),
    ).to.equal('WO-cut1');
    expect(topLevelText('{"content":"x","orderId" : "WO-2\\"q","more', 'orderId')).to.equal('WO-2"q');
    expect(topLevelText('{"extra":{"orderId":"NESTED"},"orderId":"WO-3","c', 'orderId')).to.equal('WO-3');
    expect(topLevelText('{"extra":{"orderId":"NESTED"},"content":"orderId","c', 'orderId')).to.equal(
      undefined,
    );
    expect(topLevelText('{"list":["orderId",{"orderId":"X"}],"content', 'orderId')).to.equal(undefined);
    expect(topLevelText('{"orderId":"WO-cut', 'orderId')).to.equal(undefined);
    expect(topLevelText('["orderId","WO-4"', 'orderId')).to.equal(undefined);
  });
});

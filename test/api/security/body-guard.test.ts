// Finding 7: bodies that MongoDB or JavaScript would read as something other than data (BSON type tags, NUL
// characters, `$` operators, prototype keys) are refused with one 400 `invalid_body` on every route, and a
// setting is stored only in the shape its key's schema allows.
import { expect } from 'chai';
import request from 'supertest';
import { bodyProblem } from '../../../server/http/body-guard.middleware.ts';
import { asRawBytes, expectError, useTestApp } from '../helpers.ts';

const HOSTILE: Array<[string, string]> = [
  ['a NUL in a key', '{"value":{"a\\u0000b":1}}'],
  ['a BSON Code tag', '{"value":{"_bsontype":"Code","code":"x"}}'],
  ['a BSON ObjectId tag', '{"value":{"_bsontype":"ObjectId","id":"aaaaaaaaaaaa"}}'],
  ['a BSON Long tag', '{"value":{"_bsontype":"Long","low":1,"high":0}}'],
  ['a __proto__ key', '{"value":{"__proto__":{"x":1}}}'],
  ['a constructor key deep down', '{"value":{"normal":[{"constructor":{"prototype":1}}]}}'],
  ['an operator key', '{"value":{"normal":{"$gt":""}}}'],
  ['a NUL in a value', '{"value":"a\\u0000b"}'],
];

describe('api: one sanitising check for every JSON body', () => {
  const t = useTestApp();

  for (const [what, body] of HOSTILE) {
    it(`PUT /api/settings/sla.overrides with ${what} → 400 invalid_body, nothing stored`, async () => {
      const res = await request(t.app)
        .put('/api/settings/sla.overrides')
        .set(await t.auth('admin'))
        .set('content-type', 'application/json')
        .send(body);
      expectError(res, 400, 'invalid_body');
      expect(await t.models.Setting.countDocuments({ key: 'sla.overrides' })).to.equal(0);
    });
  }

  it('guards every route, not only settings: a login or an issue body with an operator is refused', async () => {
    const login = await request(t.app)
      .post('/api/auth/login')
      .send({ username: { $gt: '' }, password: 'demo1234' });
    expectError(login, 400, 'invalid_body');
    const issue = await request(t.app)
      .post('/api/issues')
      .set(await t.auth('clerk'))
      .set('content-type', 'application/json')
      .send(
        '{"enterprise":{"_bsontype":"ObjectId","id":"aaaaaaaaaaaa"},"channel":"window","content":"内容"}',
      );
    expectError(issue, 400, 'invalid_body');
  });

  it('a body the JSON parser does not read (no content type, a form) is 415, not a 400 about its fields', async () => {
    const auth = await t.auth('clerk');
    const bare = await request(t.app)
      .post('/api/issues')
      .set(auth)
      .set('content-type', '')
      .serialize(asRawBytes)
      .send(Buffer.from('{"channel":"window","content":"厂房验收迟迟未办理"}'));
    expectError(bare, 415, 'unsupported_media_type');
    const form = await request(t.app)
      .post('/api/auth/login')
      .type('form')
      .send({ username: 'clerk', password: 'demo1234' });
    expectError(form, 415, 'unsupported_media_type');
    const array = await request(t.app)
      .post('/api/issues')
      .set(auth)
      .send([{ channel: 'window' }]);
    expectError(array, 400, 'validation_failed');
    expect(array.body.error.message).to.equal('请求体应为 JSON 对象');
  });

  it('a body that is not UTF-8 (GBK bytes sent as JSON) is 400 invalid_encoding, not stored as U+FFFD', async () => {
    const before = await t.models.Issue.countDocuments();
    // 厂房验收 in GBK, inside an otherwise valid JSON object.
    const gbk = Buffer.from([0xb3, 0xa7, 0xb7, 0xbf, 0xd1, 0xe9, 0xca, 0xd5]);
    const body = Buffer.concat([
      Buffer.from('{"enterprise":{"creditCode":"x"},"channel":"window","content":"'),
      gbk,
      Buffer.from('"}'),
    ]);
    const res = await request(t.app)
      .post('/api/issues')
      .set(await t.auth('clerk'))
      .set('content-type', 'application/json')
      .serialize(asRawBytes)
      .send(body);
    expectError(res, 400, 'invalid_encoding');
    expect(await t.models.Issue.countDocuments()).to.equal(before);
  });

  it('a setting is validated against its key: unknown keys and wrong shapes are 400, the right shape is stored', async () => {
    const admin = await t.auth('admin');
    const put = (key: string, value: unknown) =>
      request(t.app).put(`/api/settings/${key}`).set(admin).send({ value });
    expectError(await put('no.such.setting', 1), 400, 'validation_failed');
    expectError(
      await put('sla.overrides', { normal: { resolveWorkingDays: 'five' } }),
      400,
      'validation_failed',
    );
    expectError(
      await put('sla.overrides', { sometimes: { resolveWorkingDays: 3 } }),
      400,
      'validation_failed',
    );
    expectError(
      await put('sla.overrides', { normal: { resolveWorkingDays: 3, extra: 1 } }),
      400,
      'validation_failed',
    );
    const ok = await put('sla.overrides', { urgent: { resolveWorkingDays: 2 } }).expect(200);
    expect(ok.body.value).to.deep.equal({ urgent: { resolveWorkingDays: 2 } });
  });

  it('bodyProblem: plain data passes, nesting is bounded', () => {
    expect(bodyProblem({ a: [1, 'x', { b: null }], 'a.b': true })).to.equal(undefined);
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = { d: deep };
    expect(bodyProblem(deep)).to.match(/嵌套/);
  });
});

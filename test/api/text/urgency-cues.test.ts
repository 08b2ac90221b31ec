// The urgency cues as an admin setting (`classify.urgencyCues`): only the admin stores them, checked with the
// schema the admin screen uses (shared/schemas urgencyCuesSettingSchema); a new cue changes the urgency of a
// text at once, in /api/classify and on the create path, negation still applies, and 恢复默认 brings the
// default words back. The change is recorded like every setting (who, when).
import { expect } from 'chai';
import request from 'supertest';
import { DEFAULT_URGENCY_CUES } from '../../../config/urgency-cues.ts';
import { expectError } from '../helpers.ts';
import { postIssue, useIssueApp } from '../issues/fixtures.ts';

const KEY = '/api/settings/classify.urgencyCues';
/** No default cue in it: a supplier squeezing the plant reads as an ordinary issue until the admin says so. */
const TEXT = '原料供应商卡脖子，订单交付受到影响';
const NEW_CUE = '卡脖子';

describe('api: urgency cues as an admin setting', () => {
  const t = useIssueApp();

  const urgencyOf = async (text: string) => {
    const res = await request(t.app)
      .post('/api/classify')
      .set(await t.auth('clerk'))
      .send({ text });
    expect(res.status).to.equal(200);
    return res.body as { urgency: string; evidence: { cues: { family: string; cue: string }[] } };
  };
  const put = async (as: string, value: unknown) =>
    request(t.app)
      .put(KEY)
      .set(await t.auth(as))
      .send({ value });

  it('a cue the admin adds to 停产停工 makes the text 特急 at once, in /api/classify and on the create path', async () => {
    expect((await urgencyOf(TEXT)).urgency).to.equal('normal');

    const saved = await put('admin', { stoppage: [...DEFAULT_URGENCY_CUES.stoppage, NEW_CUE] });
    expect(saved.status).to.equal(200);
    expect(saved.body.value.stoppage).to.include(NEW_CUE);
    expect(Object.keys(saved.body.value)).to.deep.equal(['stoppage']);

    const after = await urgencyOf(TEXT);
    expect(after.urgency).to.equal('critical');
    expect(after.evidence.cues).to.deep.include({ family: 'stoppage', cue: NEW_CUE });

    const created = await postIssue(t, 'clerk', { content: TEXT });
    expect(created.status).to.equal(201);
    expect(created.body.urgency).to.equal('critical');
  });

  it('keeps the negation handling for the admin’s cues', async () => {
    expect((await urgencyOf('供应商目前没有卡脖子，订单交付正常')).urgency).to.equal('normal');
  });

  it('records who changed the cues and when, like every setting', async () => {
    const row = await t.models.Setting.findOne({ key: 'classify.urgencyCues' }).lean();
    const admin = await t.models.User.findOne({ username: 'admin' }).lean();
    expect(String(row!.updatedBy)).to.equal(String(admin!._id));
    const list = await request(t.app)
      .get('/api/settings')
      .set(await t.auth('admin'));
    const shown = list.body.items.find((s: { key: string }) => s.key === 'classify.urgencyCues');
    expect(shown.updatedAt).to.be.a('string');
  });

  it('恢复默认: storing no family brings the default words back', async () => {
    expect((await put('admin', {})).status).to.equal(200);
    expect((await urgencyOf(TEXT)).urgency).to.equal('normal');
    expect((await urgencyOf('突然断电，全厂停产')).urgency).to.equal('critical');
  });

  it('switches a family off when the admin empties it', async () => {
    expect((await urgencyOf('工人工资发不出来了')).urgency).to.equal('urgent');
    expect((await put('admin', { wages: [] })).status).to.equal(200);
    expect((await urgencyOf('工人工资发不出来了')).urgency).to.equal('normal');
    expect((await put('admin', {})).status).to.equal(200);
  });

  it('400 validation_failed for a bad cue, an unknown family or a value that is not a list', async () => {
    const cases: [unknown, string][] = [
      [{ stoppage: ['停'] }, '每个提示词至少2个字'],
      [{ stoppage: ['停产 停工'] }, '提示词不能包含空格或标点'],
      [{ stoppage: ['停'.repeat(21)] }, '每个提示词不超过20个字'],
      [{ weather: ['台风'] }, '紧急提示词类别无效'],
      [{ safety: '火灾' }, '提示词必须是列表'],
    ];
    for (const [value, message] of cases) {
      const res = await put('admin', value);
      expectError(res, 400, 'validation_failed');
      expect(res.body.error.message, JSON.stringify(value)).to.contain(message);
    }
    expect(await t.models.Setting.findOne({ key: 'classify.urgencyCues' }).lean())
      .to.have.nested.property('value')
      .that.deep.equals({});
  });

  it('403 forbidden for every role but admin; 401 without a token', async () => {
    for (const who of ['clerk', 'dispatcher', 'director', 'leader', 'handler-city-econ']) {
      expectError(await put(who, { stoppage: [NEW_CUE] }), 403, 'forbidden');
    }
    expectError(await request(t.app).put(KEY).send({ value: {} }), 401, 'unauthorized');
    expect((await urgencyOf(TEXT)).urgency).to.equal('normal');
  });
});

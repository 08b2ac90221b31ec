// POST /api/issues: who may take in issues, enterprise matching, triage to received or straight to dispatched,
// numbering, and redelivery of the same (channel, externalId).
import { expect } from 'chai';
import request from 'supertest';
import { makeCreditCode } from '../../../shared/credit-code.ts';
import { expectError } from '../helpers.ts';
import { enterpriseIn, handlerOf, postIssue, unitByCode, useIssueApp, VAGUE_TEXT } from './fixtures.ts';

describe('POST /api/issues', () => {
  const t = useIssueApp();

  it('401 without a token', async () => {
    const res = await request(t.app).post('/api/issues').send({});
    expectError(res, 401, 'unauthorized');
  });

  it('400 validation_failed for a missing content, a bad channel or an invalid credit code', async () => {
    expectError(await postIssue(t, 'clerk', { content: '' }), 400, 'validation_failed');
    expectError(await postIssue(t, 'clerk', { channel: 'fax' }), 400, 'validation_failed');
    const bad = await postIssue(t, 'clerk', { enterprise: { creditCode: '91330500MA2B3C4D5X' } });
    expectError(bad, 400, 'validation_failed');
  });

  it('400 validation_failed in Chinese, naming the field, for a value of the wrong type', async () => {
    const res = await postIssue(t, 'clerk', { contact: 'abc' as never });
    expectError(res, 400, 'validation_failed');
    expect(res.body.error).to.deep.equal({
      code: 'validation_failed',
      message: '字段 contact 无效：类型不正确，应为对象',
      field: 'contact',
    });
  });

  it('counts a limit in characters, as the form does: 200 emoji make a title, 201 do not (never a 500)', async () => {
    // Each emoji is one character and two UTF-16 units: the validation and the stored limits must agree.
    const title = '🔥'.repeat(200);
    const res = await postIssue(t, 'clerk', { title, content: `停电了${'🔌'.repeat(9_990)}` });
    expect(res.status).to.equal(201);
    const stored = await t.models.Issue.findById(res.body.id, { title: 1, content: 1 }).lean();
    expect([stored?.title, stored?.content.length]).to.deep.equal([title, 3 + 2 * 9_990]);
    const long = await postIssue(t, 'clerk', { title: '🔥'.repeat(201) });
    expectError(long, 400, 'validation_failed');
    expect(long.body.error.message).to.contain('200');
  });

  it('403 for roles that do not take in issues from that channel', async () => {
    expectError(await postIssue(t, 'admin'), 403, 'forbidden');
    expectError(await postIssue(t, 'supervisor'), 403, 'forbidden');
    expectError(await postIssue(t, handlerOf('deqing-centre'), { channel: 'window' }), 403, 'forbidden');
    expectError(await postIssue(t, 'leader', { channel: 'hotline12345' }), 403, 'forbidden');
  });

  it('404 enterprise_not_found for an unknown (valid) credit code or id', async () => {
    const unknown = makeCreditCode('91330599MA0000000');
    expect(await t.models.Enterprise.exists({ creditCode: unknown })).to.equal(null);
    expectError(
      await postIssue(t, 'clerk', { enterprise: { creditCode: unknown } }),
      404,
      'enterprise_not_found',
    );
    const res = await postIssue(t, 'clerk', { enterprise: { id: '0123456789abcdef01234567' } });
    expectError(res, 404, 'enterprise_not_found');
    expectError(await postIssue(t, 'clerk', { enterprise: { id: 'nope' } }), 404, 'enterprise_not_found');
  });

  it('201: a confident classification and routing goes straight to the local unit, with deadlines', async () => {
    const res = await postIssue(t, 'clerk', { category: 'land', urgency: 'normal', title: '厂房验收' });
    expect(res.status).to.equal(201);
    expect(res.body).to.include({
      state: 'dispatched',
      category: 'land',
      urgency: 'normal',
      redelivered: false,
    });
    expect(res.body.unitId).to.equal(String(unitByCode(t, 'deqing-centre')._id));
    expect(res.body.number).to.match(/^HZ-2026-\d{6}$/);
    expect(new Date(res.body.deadlines.resolveBy).getTime()).to.be.greaterThan(t.clock.now().getTime());
    const detail = await request(t.app)
      .get(`/api/issues/${res.body.id}`)
      .set(await t.auth('clerk'));
    expect(detail.body.timeline.map((e: { action: string }) => e.action)).to.deep.equal([
      'create',
      'dispatch',
    ]);
    expect(detail.body.timeline[1].actorRole).to.equal('system');
  });

  it('201: an environmental or work-safety complaint goes to 市生态环境局 or 市应急管理局, whatever the county', async () => {
    const cases = [
      [
        'enforcement',
        '环保督查期间园区所有企业被要求限产，我们排放一直达标，也被要求停产三天。',
        'city-eco-env',
      ],
      ['approval', '项目环评材料已经补正三次，每次都提出新的要求。', 'city-eco-env'],
      ['enforcement', '本季度安监部门就同一事项检查了四次，影响正常经营。', 'city-emergency'],
    ] as const;
    for (const [category, content, code] of cases) {
      const res = await postIssue(t, 'clerk', {
        category,
        urgency: 'normal',
        content,
        enterprise: { creditCode: enterpriseIn(t, 'changxing', 2).creditCode },
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body.state, content).to.equal('dispatched');
      expect(res.body.unitId, content).to.equal(String(unitByCode(t, code)._id));
    }
    // Its demo handler can read and sign it.
    const mine = await request(t.app)
      .get(`/api/issues?unitId=${String(unitByCode(t, 'city-emergency')._id)}`)
      .set(await t.auth(handlerOf('city-emergency')))
      .expect(200);
    expect(mine.body.items).to.have.length(1);
  });

  it('201: a text the classifier cannot place waits in received without deadlines', async () => {
    const res = await postIssue(t, 'dispatcher', { urgency: 'urgent', content: VAGUE_TEXT });
    expect(res.status).to.equal(201);
    expect(res.body).to.include({ state: 'received', category: 'policy', urgency: 'urgent', unitId: null });
    expect(res.body.deadlines).to.equal(null);
  });

  it('201: the classifier fills in category and urgency; a confident guess is dispatched at once', async () => {
    const content = '厂区频繁停电，供电不稳定，用电扩容申请也没批，生产线停产';
    const res = await postIssue(t, 'clerk', {
      content,
      enterprise: { creditCode: enterpriseIn(t, 'anji').creditCode },
    });
    expect(res.status).to.equal(201);
    expect(res.body).to.include({ state: 'dispatched', category: 'utilities', urgency: 'critical' });
    expect(res.body.unitId).to.equal(String(unitByCode(t, 'anji-centre')._id));
    // Critical: sign within 30 minutes on the wall clock.
    expect(Date.parse(res.body.deadlines.signBy) - t.clock.now().getTime()).to.equal(30 * 60_000);
  });

  it('a complex issue starts at the director coordination tier', async () => {
    const res = await postIssue(t, 'clerk', { category: 'legal', urgency: 'complex' });
    const detail = await request(t.app)
      .get(`/api/issues/${res.body.id}`)
      .set(await t.auth('clerk'));
    expect(detail.body).to.include({ tier: 'director', urgency: 'complex' });
  });

  it('a handler may report a proactive discovery for their unit; a leader may take in a visit', async () => {
    expect(
      (await postIssue(t, handlerOf('deqing-centre'), { channel: 'discovery', category: 'land' })).status,
    ).to.equal(201);
    expect(
      (await postIssue(t, 'leader', { channel: 'visit', category: 'tax', urgency: 'normal' })).status,
    ).to.equal(201);
  });

  it('numbers are unique and increase by one', async () => {
    const a = await postIssue(t, 'clerk', { category: 'tax', urgency: 'normal' });
    const b = await postIssue(t, 'clerk', { category: 'tax', urgency: 'normal' });
    const seq = (n: string) => Number(n.slice(-6));
    expect(seq(b.body.number)).to.equal(seq(a.body.number) + 1);
  });

  it('finds the enterprise by id as well, and stores its name on the issue', async () => {
    const e = enterpriseIn(t, 'nanxun', 1);
    const res = await postIssue(t, 'clerk', {
      enterprise: { id: String(e._id) },
      category: 'finance',
      urgency: 'normal',
    });
    expect(res.status).to.equal(201);
    const detail = await request(t.app)
      .get(`/api/issues/${res.body.id}`)
      .set(await t.auth('clerk'));
    expect(detail.body.enterprise).to.deep.equal({
      id: String(e._id),
      name: e.name,
      creditCode: e.creditCode,
    });
  });

  describe('redelivery of the same (channel, externalId)', () => {
    it('answers 200 with the existing issue instead of creating a second one', async () => {
      const body = {
        channel: 'hotline12345',
        externalId: 'WO-2026-0001',
        category: 'land',
        urgency: 'urgent',
      };
      const first = await postIssue(t, 'clerk', body);
      expect(first.status).to.equal(201);
      const again = await postIssue(t, 'clerk', body);
      expect(again.status).to.equal(200);
      expect(again.body).to.include({ id: first.body.id, number: first.body.number, redelivered: true });
      // Another text under the same work order number is another message, refused rather than answered with
      // this issue (as a reused idempotency key is).
      expectError(
        await postIssue(t, 'clerk', { ...body, content: '同一工单号下的另一件事' }),
        409,
        'external_id_conflict',
      );
      expect(await t.models.Issue.countDocuments({ externalId: 'WO-2026-0001' })).to.equal(1);
    });

    it('the same external id on another channel is another issue', async () => {
      const a = await postIssue(t, 'clerk', {
        channel: 'zheliban',
        externalId: 'X-1',
        category: 'tax',
        urgency: 'normal',
      });
      const b = await postIssue(t, 'clerk', {
        channel: 'email',
        externalId: 'X-1',
        category: 'tax',
        urgency: 'normal',
      });
      expect([a.status, b.status]).to.deep.equal([201, 201]);
      expect(a.body.id).to.not.equal(b.body.id);
    });

    it('concurrent redeliveries create exactly one issue', async () => {
      const body = { channel: 'wechat', externalId: 'wx-msg-42', category: 'land', urgency: 'normal' };
      const results = await Promise.all([1, 2, 3, 4].map(() => postIssue(t, 'clerk', body)));
      const ids = new Set(results.map((r) => r.body.id));
      expect(ids.size).to.equal(1);
      expect(results.filter((r) => r.status === 201)).to.have.length(1);
      expect(results.every((r) => r.status === 201 || r.status === 200)).to.equal(true);
      expect(await t.models.Issue.countDocuments({ externalId: 'wx-msg-42' })).to.equal(1);
    });
  });
});

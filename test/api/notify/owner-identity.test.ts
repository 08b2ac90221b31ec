// Who counts as an enterprise's owner, whose addresses get the QR page's link (a bearer credential) and whose
// session opens its owner view. A security review made itself the owner of an enterprise by being the first to
// name its unregistered credit code by SMS, and kept it after the enterprise was registered; and an email an
// owner session once chose kept receiving the link after a new mobile, PIN or code. Now: a provisional
// enterprise has no owner (each writer hears of their own messages, without the link; nobody verifies on its
// page); registering it gives it a new code and ends everything a writer held; a new owner credential ends the
// notification choice; and a choice that sends notices elsewhere is told to the registered mobile.
import { expect } from 'chai';
import request from 'supertest';
import { makeCreditCode } from '../../../shared/credit-code.ts';
import { channelSecretKeyOf } from '../../../server/channels/credentials.ts';
import { seedDemoChannelCredentials } from '../../../server/channels/demo-credentials.ts';
import type { EnterpriseDoc, Models } from '../../../server/models/index.ts';
import {
  confirmProvisionalCommand,
  mergeProvisionalCommand,
} from '../../../server/routes/enterprises/provisional.commands.ts';
import { enterpriseIn } from '../issues/fixtures.ts';
import { verifyOwner, type QrTestApp } from '../qr-page.harness.ts';
import { importEnterpriseList, outbox, postSigned, useNotifyApp } from './notify-harness.ts';

describe('notifications: who is an enterprise owner', () => {
  // Browsed over plain http, as the QR page's suites do (an https address makes its cookies Secure).
  const t = useNotifyApp(undefined, { PUBLIC_BASE_URL: 'http://qy.example.test' });
  before(() => seedDemoChannelCredentials(t.models, channelSecretKeyOf(t.config), t.clock));
  const text = (n: number) =>
    `我公司在开发区新建的厂房已经建成三个月，申请的用电增容一直没有批下来，设备无法调试投产，编号${n}。`;

  async function smsFrom(from: string, creditCode: string, msgId: string) {
    const raw = JSON.stringify({ msgId, from, text: `${creditCode} ${text(msgId.length)}` });
    const res = await postSigned(t, 'sms', raw).expect(200);
    await t.notify.notifier.idle();
    return (await t.models.Issue.findOne({ number: res.body.number }).lean())!;
  }

  const importRow = (row: string) =>
    importEnterpriseList(t, ['统一社会信用代码,企业名称,所在区县,手机号,邮箱', row]);

  const smsTo = async (address: string) =>
    (await outbox(t, { channel: 'sms' })).filter((r) => r.recipient.address === address);

  it('a provisional enterprise has no owner: writers hear of their own messages only, unlinked; nobody verifies', async () => {
    const code = makeCreditCode('91330521MA2B7C8D9');
    const squatter = '13800008888';
    const first = await smsFrom(squatter, code, 'OWN-SQ-1');
    const p = (await t.models.Enterprise.findById(first.enterpriseId).lean()) as EnterpriseDoc;
    expect(p).to.include({ provisional: true, mobile: squatter });
    // The real enterprise writes in by another channel naming the same code: matched to the provisional one.
    const real = '13957201111';
    const second = await smsFrom(real, code, 'OWN-REAL-22');
    expect(String(second.enterpriseId)).to.equal(String(p._id));
    const toSquatter = await smsTo(squatter);
    expect(toSquatter.map((r) => r.issueNumber)).to.deep.equal([first.number]);
    expect(toSquatter.every((r) => !r.text.includes('/e/'))).to.equal(true);
    const toReal = await smsTo(real);
    expect(toReal.map((r) => r.issueNumber)).to.deep.equal([second.number]);
    expect(toReal.every((r) => !r.text.includes('/e/'))).to.equal(true);
    // Its page shows the summary, without the owner's verification; the verification itself is refused.
    const page = await request(t.app).get(`/e/${p.qrToken}`).expect(200);
    expect(page.text).to.include('尚待服务中心核实登记').and.not.include('企业负责人验证</a>');
    const verify = await request(t.app).get(`/e/${p.qrToken}/verify`).expect(403);
    expect(verify.text).to.include('企业信息待核实');
    await request(t.app).post(`/e/${p.qrToken}/code`).type('form').send({}).expect(403);
    expect(t.sms.sent.filter((m) => m.to === squatter && /验证码/.test(m.text))).to.deep.equal([]);
  });

  it('registered by the register’s import: the row’s mobile and email only, a new code, nothing the writer held', async () => {
    const code = makeCreditCode('91330521MA2E3F4G5');
    const squatter = '13800009999';
    const issue = await smsFrom(squatter, code, 'OWN-SQ-2');
    const p = (await t.models.Enterprise.findById(issue.enterpriseId)
      .select('+ownerSessionVersion')
      .lean()) as EnterpriseDoc;
    await t.models.Enterprise.updateOne(
      { _id: p._id },
      {
        $set: {
          notify: { channel: 'email', email: 'spy@attacker.test', updatedAt: t.clock.now() },
          wechatOpenids: ['oSQUATTER'],
          ownerName: 'Writer Two',
        },
      },
    );
    // A row without a mobile cannot register it on the writer's number.
    const blank = await importRow(`${code},湖州登记实业有限公司,wuxing,,`);
    expect(blank).to.include({ failed: 1 });
    expect((await t.models.Enterprise.findById(p._id).lean())?.provisional).to.equal(true);
    const done = await importRow(`${code},湖州登记实业有限公司,wuxing,13957203333,zhao@registered.cn`);
    expect(done).to.include({ status: 'done', updated: 1 });
    const e = (await t.models.Enterprise.findById(p._id)
      .select('+ownerSessionVersion')
      .lean()) as EnterpriseDoc;
    expect(e).to.include({
      name: '湖州登记实业有限公司',
      mobile: '13957203333',
      email: 'zhao@registered.cn',
    });
    expect(e.provisional).to.equal(undefined);
    expect(e.notify).to.equal(undefined);
    expect(e.wechatOpenids).to.equal(undefined);
    expect(e.ownerName ?? '').to.equal('');
    expect(e.emails).to.deep.equal(['zhao@registered.cn']);
    expect(e.qrToken).to.not.equal(p.qrToken);
    expect(e.ownerSessionVersion).to.equal(p.ownerSessionVersion + 1);
    await request(t.app).get(`/e/${p.qrToken}`).expect(404);
    // The squatter's number was never the enterprise's: it is not told of the registered mobile.
    expect(await outbox(t, { event: 'owner_mobile_changed' })).to.deep.equal([]);
  });

  it('confirmed by the centre: a new code and no owner choice left from before', async () => {
    const code = makeCreditCode('91330521MA2H6J7K8');
    const issue = await smsFrom('13800007777', code, 'OWN-SQ-3');
    const p = (await t.models.Enterprise.findById(issue.enterpriseId).lean()) as EnterpriseDoc;
    await t.models.Enterprise.updateOne(
      { _id: p._id },
      { $set: { notify: { channel: 'email', email: 'spy@attacker.test', updatedAt: t.clock.now() } } },
    );
    const res = await request(t.app)
      .post(`/api/enterprises/${String(p._id)}/confirm`)
      .set(await t.auth('dispatcher'))
      .send({ name: '湖州确认实业有限公司', region: 'nanxun', mobile: '13957205555' })
      .expect(200);
    const e = (await t.models.Enterprise.findById(p._id).lean()) as EnterpriseDoc;
    expect(e.provisional).to.equal(undefined);
    expect(e.notify).to.equal(undefined);
    expect(e.qrToken).to.not.equal(p.qrToken);
    expect(res.body.qrUrl).to.include(e.qrToken);
  });

  it('confirming or merging keeps the writers’ addresses only when staff mark them checked', async () => {
    const code = makeCreditCode('91330521MA2L1M2N3');
    const issue = await smsFrom('13800006666', code, 'OWN-SQ-4');
    const p = (await t.models.Enterprise.findById(issue.enterpriseId).lean()) as EnterpriseDoc;
    // As intake registers a mail's sender: its address in `email` and `emails`, the name it gave as the owner.
    await t.models.Enterprise.updateOne(
      { _id: p._id },
      {
        $set: {
          email: 'squatter@evil.example',
          emails: ['squatter@evil.example'],
          wechatOpenids: ['oSQUAT'],
          ownerName: 'Writer One',
        },
      },
    );
    const confirm = (body: object) =>
      request(t.app)
        .post(`/api/enterprises/${String(p._id)}/confirm`)
        .set(clerk)
        .send({ name: '湖州核实实业有限公司', region: 'anji', ...body });
    const clerk = await t.auth('clerk');
    // The number the message came from is never registered for it.
    const refused = await confirm({});
    expect(refused.status).to.equal(400);
    expect(refused.body.error.message).to.contain('经核实的企业登记手机号');
    // Registering it by the form instead points to the provisional one.
    const form = await request(t.app)
      .post('/api/enterprises')
      .set(clerk)
      .send({ creditCode: code, name: '湖州核实实业有限公司', region: 'anji', mobile: '13957206666' });
    expect(form.status).to.equal(409);
    expect(form.body.error.message).to.contain('待确认企业');
    const ok = await confirm({ mobile: '13957206666' });
    expect(ok.status).to.equal(200);
    const e = (await t.models.Enterprise.findById(p._id).lean()) as EnterpriseDoc;
    expect(e).to.include({ mobile: '13957206666' });
    expect(e.emails).to.equal(undefined);
    expect(e.email, 'the retest found the writer kept as the registered email').to.equal(undefined);
    expect(e.wechatOpenids).to.equal(undefined);
    expect(e.ownerName ?? '').to.equal('');

    // A merge: the sender's address does not become the enterprise's unless ticked.
    const other = await smsFrom('13800005555', makeCreditCode('91330521MA2P4Q5R6'), 'OWN-SQ-5');
    const q = other.enterpriseId;
    await t.models.Enterprise.updateOne({ _id: q }, { $set: { emails: ['spy@evil.example'] } });
    const real = enterpriseIn(t, 'anji', 5);
    await request(t.app)
      .post(`/api/enterprises/${String(q)}/merge`)
      .set(clerk)
      .send({ intoId: String(real._id) })
      .expect(200);
    const into = (await t.models.Enterprise.findById(real._id).lean()) as EnterpriseDoc;
    expect(into.emails ?? []).to.not.include('spy@evil.example');
    expect(String((await t.models.Issue.findById(other._id).lean())?.enterpriseId)).to.equal(
      String(real._id),
    );
  });

  it('a confirm and a merge of the same provisional enterprise at once: the second to write gives way', async () => {
    const actor = { id: 'u1', role: 'dispatcher' as const, username: 'dispatcher' };
    /** The models, with `between` run just before the first write to the enterprises (after the read). */
    const racing = (between: () => Promise<unknown>): Models => {
      const collection = new Proxy(t.models.Enterprise.collection, {
        get(target, prop) {
          const v = Reflect.get(target, prop, target) as unknown;
          if (prop !== 'updateOne' || typeof v !== 'function') return v;
          return async (...args: unknown[]) => {
            await between();
            return (v as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
      const Enterprise = new Proxy(t.models.Enterprise, {
        get(target, prop) {
          if (prop === 'collection') return collection;
          const v = Reflect.get(target, prop, target) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
      return { ...t.models, Enterprise } as Models;
    };
    const real = enterpriseIn(t, 'anji', 6);
    const registered = { name: '湖州并发实业有限公司', region: 'anji', mobile: '13957207777' };

    // A confirm lands while a merge is between its read and its first write: nothing moves.
    const a = await smsFrom('13800004444', makeCreditCode('91330521MA2R7T8U9'), 'OWN-RACE-1');
    const confirmFirst = () =>
      confirmProvisionalCommand(t.models, String(a.enterpriseId), registered, t.clock.now());
    const merged = mergeProvisionalCommand(
      racing(confirmFirst),
      actor,
      String(a.enterpriseId),
      String(real._id),
      t.clock.now(),
    );
    await merged.then(
      () => expect.fail('the merge went on over a confirmed enterprise'),
      (err: { code?: string }) => expect(err.code).to.equal('not_provisional'),
    );
    expect(String((await t.models.Issue.findById(a._id).lean())?.enterpriseId)).to.equal(
      String(a.enterpriseId),
    );

    // A merge begins while a confirm is between its read and its write: the confirm gives way.
    const b = await smsFrom('13800003333', makeCreditCode('91330521MA2W1X2Y3'), 'OWN-RACE-2');
    const mergeFirst = () =>
      t.models.Enterprise.collection.updateOne({ _id: b.enterpriseId }, { $set: { mergingInto: real._id } });
    const confirming = confirmProvisionalCommand(
      { ...t.models, Enterprise: racingFindOneAndUpdate(mergeFirst) } as Models,
      String(b.enterpriseId),
      { ...registered, mobile: '13957208888' },
      t.clock.now(),
    );
    await confirming.then(
      () => expect.fail('the confirm registered an enterprise being merged'),
      (err: { code?: string }) => expect(err.code).to.equal('merge_in_progress'),
    );
    expect((await t.models.Enterprise.findById(b.enterpriseId).lean())?.provisional).to.equal(true);
  });

  /** The Enterprise model, with `between` run just before findOneAndUpdate (a confirm's one write). */
  function racingFindOneAndUpdate(between: () => Promise<unknown>) {
    return new Proxy(t.models.Enterprise, {
      get(target, prop) {
        const v = Reflect.get(target, prop, target) as unknown;
        if (typeof v !== 'function') return v;
        const bound = (v as (...a: unknown[]) => unknown).bind(target);
        if (prop !== 'findOneAndUpdate') return bound;
        return (...args: unknown[]) => ({
          lean: async () => {
            await between();
            return (bound(...args) as { lean: () => Promise<unknown> }).lean();
          },
        });
      },
    });
  }

  it('a choice that sends notices elsewhere is told to the registered mobile, once', async () => {
    const e = enterpriseIn(t, 'anji', 3);
    const lastCode = () => /\d{6}/.exec(t.sms.sent.at(-1)?.text ?? '')?.[0] ?? '';
    const qr = { ...t, sms: { lastCode } } as unknown as QrTestApp;
    const b = request.agent(t.app);
    const csrf = await verifyOwner(qr, b, e);
    const choose = (form: Record<string, string>) =>
      b
        .post(`/e/${e.qrToken}/preference`)
        .type('form')
        .send({ _csrf: csrf, ...form })
        .expect(303);
    const told = async () => (await outbox(t, { event: 'owner_preference_changed' })).map((r) => r.text);
    await choose({ channel: 'sms' });
    expect(await told(), 'SMS to the registered mobile is no news').to.deep.equal([]);
    await choose({ channel: 'email', email: 'boss@anji-pref.cn' });
    await choose({ channel: 'email', email: 'boss@anji-pref.cn' });
    const rows = await outbox(t, { event: 'owner_preference_changed' });
    expect(rows).to.have.length(1);
    expect(rows[0]).to.deep.include({ channel: 'sms' });
    expect(rows[0].recipient.address).to.equal(e.mobile);
    expect(rows[0].text).to.include('电子邮件（b***@anji-pref.cn）').and.not.include('boss@');
  });

  it('a new mobile, PIN or code ends the owner’s notification choice', async () => {
    const choose = (id: EnterpriseDoc['_id']) =>
      t.models.Enterprise.updateOne(
        { _id: id },
        { $set: { notify: { channel: 'email', email: 'former@staff.test', updatedAt: t.clock.now() } } },
      );
    const notifyOf = async (id: EnterpriseDoc['_id']) =>
      (await t.models.Enterprise.findById(id).lean())?.notify;
    const e = enterpriseIn(t, 'deqing', 2);
    const path = `/api/enterprises/${String(e._id)}`;
    const clerk = await t.auth('clerk');
    await choose(e._id);
    await request(t.app).patch(path).set(clerk).send({ address: '德清县武康街道2号' }).expect(200);
    expect((await notifyOf(e._id))?.channel, 'another edit keeps it').to.equal('email');
    await request(t.app).patch(path).set(clerk).send({ mobile: '13900000021', email: '' }).expect(200);
    expect(await notifyOf(e._id)).to.equal(undefined);
    await choose(e._id);
    await request(t.app).put(`${path}/pin`).set(clerk).send({ pin: '246810' }).expect(200);
    expect(await notifyOf(e._id)).to.equal(undefined);
    await choose(e._id);
    await request(t.app).post(`${path}/qr/rotate`).set(clerk).expect(200);
    expect(await notifyOf(e._id)).to.equal(undefined);
  });
});

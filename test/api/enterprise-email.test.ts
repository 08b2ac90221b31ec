// An enterprise's email addresses: staff register and correct the email (create, PATCH, confirming a
// provisional enterprise, the import's 邮箱 column), mail from it is matched to the enterprise, merging a
// provisional enterprise keeps its sender's address so the next mail matches, and an address is one
// enterprise's only (409 email_taken).
import { expect } from 'chai';
import request from 'supertest';
import { makeCreditCode } from '../../shared/credit-code.ts';
import { acceptInbound } from '../../server/intake/pipeline.ts';
import type { Models } from '../../server/models/index.ts';
import { migrateEnterpriseIndexes } from '../../server/models/enterprise.model.ts';
import { mergeProvisionalCommand } from '../../server/routes/enterprises/provisional.commands.ts';
import { expectError } from './helpers.ts';
import { useMailIntake } from './intake/mail.harness.ts';
import { enterpriseIn, handlerOf, useIssueApp } from './issues/fixtures.ts';

describe('api: enterprise email addresses and mail matching', function () {
  this.timeout(30_000);
  const t = useIssueApp();
  const intake = useMailIntake(t);
  const { mail, enterpriseOfMail } = intake;
  const patch = async (id: unknown, body: object, as = 'clerk') =>
    request(t.app)
      .patch(`/api/enterprises/${String(id)}`)
      .set(await t.auth(as))
      .send(body);
  const patched = async (id: unknown, body: object) => {
    const res = await patch(id, body);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res;
  };

  it('staff register an email with PATCH (checked as an address); mail from it then matches the enterprise', async () => {
    const e = enterpriseIn(t, 'wuxing', 1);
    expectError(await patch(e._id, { email: 'not-an-address' }), 400, 'validation_failed');
    const res = await patched(e._id, { email: ' Boss@Wuxing-Factory.CN ' });
    expect(res.body).to.include({ email: 'boss@wuxing-factory.cn' });
    expect(res.body.emails).to.deep.equal(['boss@wuxing-factory.cn']);

    const matched = await enterpriseOfMail('boss@wuxing-factory.cn');
    expect(String(matched?._id)).to.equal(String(e._id));

    // A correction replaces the address: the old one no longer names the enterprise.
    const fixed = await patched(e._id, { email: 'office@wuxing-factory.cn' });
    expect(fixed.body.emails).to.deep.equal(['office@wuxing-factory.cn']);
    expect(String((await enterpriseOfMail('office@wuxing-factory.cn'))?._id)).to.equal(String(e._id));
    expect((await enterpriseOfMail('boss@wuxing-factory.cn'))?.provisional).to.equal(true);
  });

  it('a mail naming an unknown credit code from a registered address is filed for a new enterprise, which does not take the address', async () => {
    const e = enterpriseIn(t, 'changxing', 1);
    await patched(e._id, { email: 'shared@changxing-1.cn' });
    const code = makeCreditCode('91330522MA7EML009');
    const ack = await acceptInbound(intake.deps, {
      ...mail('shared@changxing-1.cn'),
      enterprise: { creditCode: code },
    });
    expect(ack.status).to.equal('created');
    const p = await t.models.Enterprise.findOne({ creditCode: code }).lean();
    expect(p).to.include({ provisional: true });
    expect(p).to.not.have.any.keys('email', 'emails');
    expect(String((await enterpriseOfMail('shared@changxing-1.cn'))?._id)).to.equal(String(e._id));
  });

  it('the email is contact data: the centre sees it, a unit with none of its issues does not', async () => {
    const e = enterpriseIn(t, 'anji', 2);
    await patched(e._id, { email: 'contact@anji-2.cn' });
    const centre = await request(t.app)
      .get(`/api/enterprises/${String(e._id)}`)
      .set(await t.auth('clerk'))
      .expect(200);
    expect(centre.body).to.include({ email: 'contact@anji-2.cn' });
    const unit = await request(t.app)
      .get(`/api/enterprises/${String(e._id)}`)
      .set(await t.auth(handlerOf('anji-centre')))
      .expect(200);
    expect(unit.body).to.not.have.any.keys('email', 'emails', 'mobile');
  });

  it('registers an enterprise with an email; an address another enterprise has is 409 email_taken', async () => {
    const code = makeCreditCode('91330502MA7EML001');
    const created = await request(t.app)
      .post('/api/enterprises')
      .set(await t.auth('clerk'))
      .send({
        creditCode: code,
        name: '吴兴邮箱测试有限公司',
        region: 'wuxing',
        mobile: '13900000001',
        email: 'hello@eml-001.cn',
      })
      .expect(201);
    expect(created.body).to.include({ email: 'hello@eml-001.cn' });

    const other = enterpriseIn(t, 'deqing', 1);
    expectError(await patch(other._id, { email: 'HELLO@eml-001.cn' }), 409, 'email_taken');
    expectError(
      await request(t.app)
        .post('/api/enterprises')
        .set(await t.auth('clerk'))
        .send({
          creditCode: makeCreditCode('91330502MA7EML002'),
          name: '吴兴另一家有限公司',
          region: 'wuxing',
          mobile: '13900000002',
          email: 'hello@eml-001.cn',
        }),
      409,
      'email_taken',
    );
    expect(await t.models.Enterprise.exists({ creditCode: makeCreditCode('91330502MA7EML002') })).to.equal(
      null,
    );
  });

  it("a merge the clerk marks 来信人已核实 keeps every sender's address: their next mail matches the enterprise", async () => {
    const real = enterpriseIn(t, 'nanxun', 1);
    const a = await enterpriseOfMail('zhang@example.cn');
    const b = await enterpriseOfMail('newco@factory.cn');
    expect(a?.provisional).to.equal(true);
    expect(b?.provisional).to.equal(true);
    expect(String(a?._id)).to.not.equal(String(b?._id));
    for (const p of [a, b]) {
      await request(t.app)
        .post(`/api/enterprises/${String(p?._id)}/merge`)
        .set(await t.auth('dispatcher'))
        .send({ intoId: String(real._id), acceptSenders: true })
        .expect(200);
    }
    const merged = await t.models.Enterprise.findById(real._id).lean();
    expect(merged?.emails).to.have.members(['zhang@example.cn', 'newco@factory.cn']);

    expect(String((await enterpriseOfMail('newco@factory.cn'))?._id)).to.equal(String(real._id));
    expect(String((await enterpriseOfMail('ZHANG@example.cn'))?._id)).to.equal(String(real._id));
    expect(
      await t.models.Enterprise.countDocuments({ provisional: true, emails: 'newco@factory.cn' }),
    ).to.equal(0);

    // Registering the email keeps the merged senders' addresses, and one of them is not another's to take.
    const res = await patched(real._id, { email: 'office@nanxun-1.cn' });
    expect(res.body.emails).to.have.members(['zhang@example.cn', 'newco@factory.cn', 'office@nanxun-1.cn']);
    expectError(
      await patch(enterpriseIn(t, 'nanxun', 2)._id, { email: 'newco@factory.cn' }),
      409,
      'email_taken',
    );
  });

  it('a merge cut short (a crash after the issues moved) finishes when asked again, into the same enterprise only', async () => {
    const real = enterpriseIn(t, 'nanxun', 3);
    const p = await enterpriseOfMail('cut@short.cn');
    const issueIds = (await t.models.Issue.find({ enterpriseId: p?._id }, { _id: 1 }).lean()).map(
      (i) => i._id,
    );
    expect(issueIds).to.have.length(1);
    // The process dies as the enterprise merged into is about to take the sender's address.
    const Enterprise = new Proxy(t.models.Enterprise, {
      get(target, prop) {
        if (prop === 'updateOne') return () => Promise.reject(new Error('killed'));
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const dying = { ...t.models, Enterprise } as Models;
    const actor = { id: 'u1', role: 'dispatcher' as const, username: 'dispatcher' };
    let caught: unknown;
    const accept = { acceptSenders: true };
    await mergeProvisionalCommand(
      dying,
      actor,
      String(p?._id),
      String(real._id),
      t.clock.now(),
      accept,
    ).catch((e: unknown) => (caught = e));
    expect((caught as Error).message).to.equal('killed');
    const half = await t.models.Enterprise.findById(p?._id).lean();
    expect(half).to.deep.include({
      provisional: true,
      mergingInto: real._id,
      mergingEmails: ['cut@short.cn'],
    });
    expect(half).to.not.have.property('emails');

    // Not into another enterprise, and not confirmed as it stands.
    expectError(
      await request(t.app)
        .post(`/api/enterprises/${String(p?._id)}/merge`)
        .set(await t.auth('dispatcher'))
        .send({ intoId: String(enterpriseIn(t, 'nanxun', 4)._id) }),
      409,
      'merge_in_progress',
    );
    expectError(
      await request(t.app)
        .post(`/api/enterprises/${String(p?._id)}/confirm`)
        .set(await t.auth('clerk'))
        .send({ creditCode: makeCreditCode('91330503MA7EML009'), mobile: '13900000009', region: 'nanxun' }),
      409,
      'merge_in_progress',
    );

    await request(t.app)
      .post(`/api/enterprises/${String(p?._id)}/merge`)
      .set(await t.auth('dispatcher'))
      .send({ intoId: String(real._id), acceptSenders: true })
      .expect(200);
    expect(await t.models.Enterprise.exists({ _id: p?._id })).to.equal(null);
    expect((await t.models.Enterprise.findById(real._id).lean())?.emails).to.include('cut@short.cn');
    const issues = await t.models.Issue.find({ _id: { $in: issueIds } }).lean();
    expect(issues.map((i) => String(i.enterpriseId))).to.deep.equal([String(real._id)]);
    // Moved once, with one note.
    const notes = issues[0].timeline.filter((e) => e.data?.kind === 'enterprise_merged');
    expect(notes).to.have.length(1);
    expect(String((await enterpriseOfMail('cut@short.cn'))?._id)).to.equal(String(real._id));
  });

  it('confirming a provisional enterprise may register its email beside the sender address it knows', async () => {
    const p = await enterpriseOfMail('li@newfirm.cn');
    expect(p?.provisional).to.equal(true);
    const confirm = async (email: string) =>
      request(t.app)
        .post(`/api/enterprises/${String(p?._id)}/confirm`)
        .set(await t.auth('clerk'))
        .send({
          creditCode: makeCreditCode('91330503MA7EML003'),
          name: '南浔新创有限公司',
          region: 'nanxun',
          mobile: '13900000003',
          email,
          acceptSenders: true,
        });
    expectError(await confirm('li at newfirm'), 400, 'validation_failed');
    expectError(await confirm('hello@eml-001.cn'), 409, 'email_taken');
    const ok = await confirm('office@newfirm.cn');
    expect(ok.status).to.equal(200);
    expect(ok.body).to.include({ email: 'office@newfirm.cn', provisional: false });
    expect(ok.body.emails).to.have.members(['li@newfirm.cn', 'office@newfirm.cn']);
    expect(String((await enterpriseOfMail('office@newfirm.cn'))?._id)).to.equal(String(p?._id));
  });

  it('the import takes a 邮箱 column: the address is registered (or refused per row when taken) and matches mail', async () => {
    const C = makeCreditCode('91330521MA7EML004');
    const known = enterpriseIn(t, 'deqing', 3);
    const file = Buffer.from(
      [
        '统一社会信用代码,企业名称,所在区县,手机号,邮箱',
        `${C},德清邮箱导入有限公司,德清县,13900000004,Import@Deqing-eml.cn`,
        `${known.creditCode},${known.name},deqing,,known@deqing-3.cn`,
        `${makeCreditCode('91330521MA7EML005')},德清另一家有限公司,德清县,13900000005,hello@eml-001.cn`,
        `${makeCreditCode('91330521MA7EML006')},德清第三家有限公司,德清县,13900000006,not-mail`,
      ].join('\r\n'),
      'utf8',
    );
    const start = await request(t.app)
      .post('/api/enterprises/imports')
      .set(await t.auth('clerk'))
      .attach('file', file, '企业名单.csv')
      .expect(202);
    let status: Record<string, unknown> = { status: 'running' };
    for (let i = 0; i < 200 && status.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 25));
      status = (
        await request(t.app)
          .get(`/api/enterprises/imports/${start.body.id as string}`)
          .set(await t.auth('clerk'))
          .expect(200)
      ).body;
    }
    expect(status).to.include({ status: 'done', created: 1, updated: 1, failed: 2 });
    expect(status.errors).to.deep.equal([
      { row: 4, message: '该邮箱已登记在其他企业名下' },
      { row: 5, message: '电子邮箱格式无效' },
    ]);
    const imported = await t.models.Enterprise.findOne({ creditCode: C }).lean();
    expect(imported).to.include({ email: 'import@deqing-eml.cn' });
    expect(String((await enterpriseOfMail('import@deqing-eml.cn'))?._id)).to.equal(String(imported?._id));
    expect(String((await enterpriseOfMail('known@deqing-3.cn'))?._id)).to.equal(String(known._id));
  });
});

describe('api: enterprise addresses stored before the address list', function () {
  this.timeout(30_000);
  const t = useIssueApp();

  it('copies each registered email to the list once, leaves an address two enterprises share, and drops email_1', async () => {
    const [a, b, c] = t.data.enterprises.slice(40, 43);
    const raw = t.models.Enterprise.collection;
    await raw.updateOne({ _id: a._id }, { $set: { email: 'old@a.cn' }, $unset: { emails: '' } });
    await raw.updateOne({ _id: b._id }, { $set: { email: 'shared@x.cn' }, $unset: { emails: '' } });
    await raw.updateOne({ _id: c._id }, { $set: { email: 'shared@x.cn' }, $unset: { emails: '' } });
    await raw.createIndex({ email: 1 }, { name: 'email_1' });
    await migrateEnterpriseIndexes(t.models.Enterprise);
    const emails = async (id: unknown) => (await raw.findOne({ _id: id as never }))?.emails;
    expect(await emails(a._id)).to.deep.equal(['old@a.cn']);
    expect(await emails(b._id)).to.equal(undefined);
    expect(await emails(c._id)).to.equal(undefined);
    expect((await raw.indexes()).map((ix) => ix.name)).to.not.include('email_1');
    // Once done, a later start does not look again.
    await raw.updateOne({ _id: b._id }, { $set: { email: 'later@b.cn' } });
    await migrateEnterpriseIndexes(t.models.Enterprise);
    expect(await emails(b._id)).to.equal(undefined);
  });
});

describe('api: owners’ notification choices stored beside the enterprises', function () {
  this.timeout(30_000);
  const t = useIssueApp();

  it('moves each row onto its enterprise once, keeps a choice made since, and drops the old collection', async () => {
    const [a, b] = t.data.enterprises.slice(44, 46);
    const at = t.clock.now();
    const old = t.conn.db!.collection('notify_preferences');
    await old.insertMany([
      { enterpriseId: a._id, channel: 'email', email: 'boss@a.cn', updatedAt: at },
      { enterpriseId: b._id, channel: 'wechat', email: null, updatedAt: at },
    ]);
    const mine = { channel: 'sms', email: null, updatedAt: at };
    await t.models.Enterprise.collection.updateOne({ _id: b._id }, { $set: { notify: mine } });
    await migrateEnterpriseIndexes(t.models.Enterprise);
    const notify = async (id: unknown) =>
      (await t.models.Enterprise.collection.findOne({ _id: id as never }))?.notify;
    expect(await notify(a._id)).to.deep.equal({ channel: 'email', email: 'boss@a.cn', updatedAt: at });
    expect(await notify(b._id)).to.deep.equal(mine);
    const left = await t.conn.db!.listCollections({ name: 'notify_preferences' }).toArray();
    expect(left).to.deep.equal([]);
    // A later start finds nothing to move.
    await migrateEnterpriseIndexes(t.models.Enterprise);
    expect(await notify(a._id)).to.deep.equal({ channel: 'email', email: 'boss@a.cn', updatedAt: at });
  });
});

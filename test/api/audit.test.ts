// 操作日志: changes an admin (or a clerk, on enterprises) makes are recorded with who, when, what and to what,
// secrets masked; refused requests and reads are not; only admins read the log, newest first, page by page.
import { expect } from 'chai';
import request from 'supertest';
import { expectError, unitOf, useTestApp } from './helpers.ts';

describe('操作日志 (audit log)', () => {
  const t = useTestApp();
  const log = async (query = '') =>
    request(t.app)
      .get(`/api/audit${query}`)
      .set(await t.auth('admin'))
      .expect(200);

  it('records who created a user, disabled it and changed a setting, with the password masked', async () => {
    const admin = await t.auth('admin');
    const unit = unitOf(t, 'county');
    const created = await request(t.app)
      .post('/api/users')
      .set(admin)
      .send({
        username: 'audit.handler',
        name: '审计经办',
        password: 'Secret-pass-1',
        role: 'handler',
        unitId: String(unit._id),
      })
      .expect(201);
    await request(t.app)
      .patch(`/api/users/${created.body.id}`)
      .set(admin)
      .send({ disabled: true })
      .expect(200);
    await request(t.app).put('/api/settings/classify.threshold').set(admin).send({ value: 0.5 }).expect(200);

    const { body } = await log();
    const [threshold, disabled, added] = body.items;
    expect(threshold).to.deep.include({ action: '修改设置「分类置信度阈值」', method: 'PUT' });
    expect(disabled).to.deep.include({ action: '停用用户', path: `/users/${created.body.id}` });
    expect(disabled.target).to.deep.equal({ id: created.body.id, name: '审计经办' });
    expect(added).to.deep.include({ action: '新增用户' });
    expect(added.actor).to.include({ role: 'admin' });
    expect(added.actor.name).to.be.a('string').and.not.equal('');
    expect(added.details).to.contain('audit.handler').and.not.contain('Secret-pass-1');
    expect(JSON.parse(added.details).password).to.equal('***');
  });

  it('records a clerk’s PIN for an enterprise without the PIN, and nothing for refusals or reads', async () => {
    const before = (await log()).body.items.length;
    const enterprise = t.seed!.enterprises[0]!;
    await request(t.app)
      .put(`/api/enterprises/${String(enterprise._id)}/pin`)
      .set(await t.auth('clerk'))
      .send({ pin: '864213' })
      .expect(200);
    // Refused (a handler may not), invalid (400) and reads leave no row.
    expectError(
      await request(t.app)
        .put(`/api/enterprises/${String(enterprise._id)}/pin`)
        .set(await t.auth('handler-nanxun-centre'))
        .send({ pin: '111111' }),
      403,
      'forbidden',
    );
    await request(t.app)
      .put('/api/settings/classify.threshold')
      .set(await t.auth('admin'))
      .send({ value: 'high' })
      .expect(400);
    await request(t.app)
      .get('/api/settings')
      .set(await t.auth('admin'))
      .expect(200);
    const { body } = await log();
    expect(body.items).to.have.length(before + 1);
    const [pin] = body.items;
    expect(pin).to.deep.include({ action: '设置企业 PIN' });
    // Named, as 操作日志 shows it, not by its bare id.
    expect(pin.target).to.deep.equal({ id: String(enterprise._id), name: enterprise.name });
    expect(pin.actor).to.include({ role: 'clerk' });
    expect(pin.details).to.not.contain('864213');
  });

  it('is for admins only, and pages newest first', async () => {
    for (const who of ['director', 'clerk', 'leader'])
      expectError(
        await request(t.app)
          .get('/api/audit')
          .set(await t.auth(who)),
        403,
        'forbidden',
      );
    const all = (await log()).body.items;
    expect(all.length).to.be.greaterThan(2);
    const first = await log('?limit=2');
    expect(first.body.items.map((i: { id: string }) => i.id)).to.deep.equal(
      all.slice(0, 2).map((i: { id: string }) => i.id),
    );
    const second = await log(`?limit=2&cursor=${encodeURIComponent(first.body.next)}`);
    expect(second.body.items[0].id).to.equal(all[2].id);
  });
});

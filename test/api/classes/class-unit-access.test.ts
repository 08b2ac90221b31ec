// The lead unit and co-units of a class problem (issue 7 §3): on promotion their handlers and heads hear it
// once per unit (类问题牵头协办, in the app); they read the classes their unit leads or co-handles (list and
// detail, members they cannot open shown by number, enterprise and state only) and nothing else: another
// class is a 404, candidates, the report and every write a 403.
import { expect } from 'chai';
import request from 'supertest';
import { classUnitNotice } from '../../../server/classes/class-unit.notice.ts';
import { expectError } from '../helpers.ts';
import { unitByCode } from '../issues/fixtures.ts';
import { outbox, useNotifyApp } from '../notify/notify-harness.ts';

const OUTAGE = [
  '织里镇工业园区这个月已经停了三次电，每次一两个小时，缝纫机全停，赶货期损失很大',
  '又停电了 织里工业园这边 这周第二次 订单要交不出来了',
  '来电人反映，织里镇工业园区近期频繁停电，供电所称线路负荷过大，希望尽快扩容改造',
  '织里园区停电太频繁了，印花机一停整批布就花了，上周停了两次，今天又停电',
];

describe('api: class problems for their lead and co-units', function () {
  this.timeout(60_000);
  const t = useNotifyApp();
  const ids: string[] = [];
  let classId = '';
  let number = '';

  const get = async (user: string, path: string) =>
    request(t.app)
      .get(`/api/class-problems${path}`)
      .set(await t.auth(user));

  before(async () => {
    for (const [k, content] of OUTAGE.entries()) {
      const e = t.data.enterprises[k];
      const res = await request(t.app)
        .post('/api/issues')
        .set(await t.auth('dispatcher'))
        .send({
          enterprise: { id: String(e._id) },
          channel: 'window',
          category: 'utilities',
          urgency: 'normal',
          content,
        });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      ids.push(res.body.id);
      t.clock.advance(3_600_000);
    }
    // The first member is the lead unit's own issue; the others belong to no unit it is part of.
    await t.models.Issue.updateOne({ _id: ids[0] }, { $set: { unitId: unitByCode(t, 'city-econ')._id } });
    await request(t.app)
      .post('/api/class-problems/cluster')
      .set(await t.auth('director'))
      .expect(200);
    const candidates = await get('director', '/candidates');
    const cluster = candidates.body.items.find((c: { memberCount: number }) => c.memberCount >= 4);
    const res = await request(t.app)
      .post(`/api/class-problems/candidates/${cluster.id}/promote`)
      .set(await t.auth('leader'))
      .send({
        title: '织里工业园区频繁停电',
        leadUnitId: String(unitByCode(t, 'city-econ')._id),
        coUnitIds: [String(unitByCode(t, 'city-construction')._id)],
        workingDays: 10,
        rootCause: '园区线路负荷超限，变压器容量不足',
        measure: '供电公司新增两台变压器并改造主线路',
      });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    classId = res.body.id;
    number = res.body.number;
  });

  const notices = async () =>
    (await outbox(t, { event: 'class_problem_unit' })).map((r) => ({
      to: t.usernames.get(r.recipient.id),
      text: r.text,
      channel: r.channel,
    }));

  it('tells the lead unit’s and the co-unit’s handlers and heads, once each, naming their part', async () => {
    const rows = await notices();
    expect(rows.map((r) => r.to).sort()).to.deep.equal([
      'handler-city-construction',
      'handler-city-econ',
      'unithead-city-construction',
      'unithead-city-econ',
    ]);
    expect(rows.every((r) => r.channel === 'inapp')).to.equal(true);
    const lead = rows.find((r) => r.to === 'handler-city-econ')!.text;
    expect(lead).to.contain(`类问题牵头办理「${number} 织里工业园区频繁停电」`);
    expect(lead).to.match(/4件同类问题合并办理，办理时限\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    expect(rows.find((r) => r.to === 'unithead-city-construction')!.text).to.contain(`类问题协办「${number}`);
    // Told again (a retried request, a second process): nothing new.
    const cls = await t.models.ClassProblem.findById(classId).lean();
    t.notify.notifier.onUnitNotice(classUnitNotice(cls!));
    expect(await notices()).to.have.length(4);
  });

  it('the lead unit’s handler lists and reads its class; members it cannot open show no content', async () => {
    const list = await get('handler-city-econ', '');
    expect(list.status).to.equal(200);
    expect(list.body.items.map((c: { id: string }) => c.id)).to.deep.equal([classId]);
    const res = await get('handler-city-econ', `/${classId}`);
    expect(res.status).to.equal(200);
    expect(res.body.number).to.equal(number);
    expect(res.body.suggested).to.deep.equal([]);
    const own = res.body.members.find((m: { id: string }) => m.id === ids[0]);
    expect(own).to.include({ readable: true });
    expect(own.title).to.be.a('string').and.not.equal('');
    const others = res.body.members.filter((m: { id: string }) => m.id !== ids[0]);
    expect(others).to.have.length(3);
    for (const m of others) {
      expect(Object.keys(m).sort()).to.deep.equal([
        'enterpriseName',
        'id',
        'number',
        'readable',
        'state',
        'stateLabel',
      ]);
      expect(m.readable).to.equal(false);
    }
    expect((await get('unithead-city-construction', `/${classId}`)).status).to.equal(200);
    // The coordinators still see every member in full.
    const full = await get('director', `/${classId}`);
    expect(full.body.members.every((m: { title?: string }) => typeof m.title === 'string')).to.equal(true);
  });

  it('another unit’s handler: an empty list and a 404 for the class', async () => {
    expect((await get('handler-city-drc', '')).body.items).to.deep.equal([]);
    expectError(await get('handler-city-drc', `/${classId}`), 404, 'class_problem_not_found');
  });

  it('the lead unit’s staff may not resolve, change members, see candidates, the report or cluster (403)', async () => {
    const auth = await t.auth('handler-city-econ');
    const head = await t.auth('unithead-city-econ');
    expectError(
      await request(t.app)
        .post(`/api/class-problems/${classId}/resolve`)
        .set(head)
        .send({ answer: '已扩容' }),
      403,
      'forbidden',
    );
    expectError(
      await request(t.app)
        .post(`/api/class-problems/${classId}/resolve`)
        .set(auth)
        .send({ answer: '已扩容' }),
      403,
      'forbidden',
    );
    expectError(
      await request(t.app).post(`/api/class-problems/${classId}/verify`).set(auth),
      403,
      'forbidden',
    );
    expectError(
      await request(t.app)
        .post(`/api/class-problems/${classId}/members`)
        .set(auth)
        .send({ issueIds: [ids[0]] }),
      403,
      'forbidden',
    );
    expectError(await get('handler-city-econ', '/candidates'), 403, 'forbidden');
    expectError(await get('handler-city-econ', '/export.xlsx'), 403, 'forbidden');
    expectError(await request(t.app).post('/api/class-problems/cluster').set(auth), 403, 'forbidden');
    const cls = await t.models.ClassProblem.findById(classId).lean();
    expect(cls!.state).to.equal('handling');
  });

  it('the member issue names its class (number and title) on its timeline link', async () => {
    const res = await request(t.app)
      .get(`/api/issues/${ids[0]}`)
      .set(await t.auth('handler-city-econ'));
    expect(res.body.classProblemId).to.equal(classId);
    const link = res.body.timeline.find(
      (e: { data?: { classLink?: string } }) => e.data?.classLink === 'add',
    );
    expect(link.data).to.include({ classNumber: number, classTitle: '织里工业园区频繁停电' });
  });
});

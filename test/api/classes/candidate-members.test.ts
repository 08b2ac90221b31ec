// One candidate class problem with its members (GET /api/class-problems/candidates/:clusterId), so a director or
// leader sees whose issues a cluster holds before promoting it, and promotion of only the members they keep
// (memberIds): 401/403/404, the members' fields, the suggested title, how many 立项 would take now, a subset
// promoted, too few refused.
import { expect } from 'chai';
import request from 'supertest';
import { Types } from 'mongoose';
import { expectError, useTestApp } from '../helpers.ts';

const OUTAGE = [
  {
    title: '织里工业园区频繁停电',
    content: '织里镇工业园区这个月已经停了三次电，每次一两个小时，缝纫机全停，赶货期损失很大',
  },
  { title: '园区又停电', content: '又停电了 织里工业园这边 这周第二次 订单要交不出来了' },
  {
    title: '工业园区停电影响生产',
    content: '来电人反映，织里镇工业园区近期频繁停电，供电所称线路负荷过大，希望尽快扩容改造',
  },
  {
    title: '园区停电太频繁',
    content: '织里园区停电太频繁了，印花机一停整批布就花了，上周停了两次，今天又停电',
  },
];

describe('api: one candidate class problem with its members', function () {
  this.timeout(60_000);
  const t = useTestApp();
  const ids: string[] = [];
  let clusterId = '';
  let leadUnitId = '';
  const url = () => `/api/class-problems/candidates/${clusterId}`;

  before(async () => {
    for (const [k, text] of OUTAGE.entries()) {
      const e = t.seed!.enterprises[k];
      const res = await request(t.app)
        .post('/api/issues')
        .set(await t.auth('dispatcher'))
        .send({
          enterprise: { id: String(e._id) },
          channel: 'window',
          category: 'utilities',
          urgency: 'normal',
          ...text,
        });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      ids.push(res.body.id);
      t.clock.advance(3_600_000);
    }
    leadUnitId = String(t.seed!.units.find((u) => u.code.startsWith('city-'))!._id);
    await request(t.app)
      .post('/api/class-problems/cluster')
      .set(await t.auth('director'))
      .expect(200);
    const list = await request(t.app)
      .get('/api/class-problems/candidates')
      .set(await t.auth('leader'));
    clusterId = list.body.items.find((c: { category: string }) => c.category === 'utilities').id;
  });

  it('401 without a token, 403 for a handler, 404 for an unknown cluster', async () => {
    expectError(await request(t.app).get(url()), 401, 'unauthorized');
    const handler = t.seed!.accounts.find((a) => a.role === 'handler')!.username;
    expectError(
      await request(t.app)
        .get(url())
        .set(await t.auth(handler)),
      403,
      'forbidden',
    );
    expectError(
      await request(t.app)
        .get(`/api/class-problems/candidates/${new Types.ObjectId().toHexString()}`)
        .set(await t.auth('leader')),
      404,
      'cluster_not_found',
    );
  });

  it('shows the candidate with every member: number, enterprise, region, unit, state, title, excerpt', async () => {
    const res = await request(t.app)
      .get(url())
      .set(await t.auth('dispatcher'));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.id).to.equal(clusterId);
    expect(res.body.memberCount).to.equal(4);
    expect(res.body.members.map((m: { id: string }) => m.id)).to.deep.equal(ids);
    const first = res.body.members[0];
    const issue = await request(t.app)
      .get(`/api/issues/${ids[0]}`)
      .set(await t.auth('dispatcher'));
    expect(first).to.include({
      number: issue.body.number,
      enterpriseName: t.seed!.enterprises[0].name,
      title: OUTAGE[0].title,
      state: issue.body.state,
      available: true,
    });
    expect(first.region).to.be.a('string').and.not.equal('');
    expect(first.createdAt).to.be.a('string');
    expect(first.excerpt).to.equal(`${OUTAGE[0].content.slice(0, 80)}`);
    expect(first).to.not.have.property('timeline');
    expect(first).to.not.have.property('content');
    // The representative's own title, not a list of keywords.
    const rep = res.body.members.find((m: { id: string }) => m.id === res.body.representative.issueId);
    expect(res.body.suggestedTitle).to.equal(rep.title);
  });

  it('counts the members 立项 would take now: one finished since the clustering run is not among them', async () => {
    const candidate = async () =>
      (
        await request(t.app)
          .get('/api/class-problems/candidates')
          .set(await t.auth('leader'))
          .expect(200)
      ).body.items.find((c: { id: string }) => c.id === clusterId);
    expect(await candidate()).to.include({ memberCount: 4, promotableCount: 4 });
    const before = await t.models.Issue.findById(ids[1]).lean();
    // Finished behind the run's back (the summary's counts are the run's), then put back for the next test.
    await t.models.Issue.updateOne({ _id: ids[1] }, { $set: { state: 'closed' } });
    try {
      expect(await candidate()).to.include({ memberCount: 4, promotableCount: 3 });
      const detail = await request(t.app)
        .get(url())
        .set(await t.auth('leader'))
        .expect(200);
      expect(detail.body.promotableCount).to.equal(3);
    } finally {
      await t.models.Issue.updateOne({ _id: ids[1] }, { $set: { state: before!.state } });
    }
  });

  it('refuses to promote fewer than two members, then promotes only the members kept', async () => {
    const body = {
      title: '织里工业园区频繁停电',
      leadUnitId,
      coUnitIds: [],
      workingDays: 10,
      rootCause: '园区线路负荷超限',
      measure: '新增变压器并改造线路',
    };
    expectError(
      await request(t.app)
        .post(`${url()}/promote`)
        .set(await t.auth('leader'))
        .send({ ...body, memberIds: [ids[0]] }),
      400,
      'validation_failed',
    );
    const kept = [ids[0], ids[2], ids[3]];
    const res = await request(t.app)
      .post(`${url()}/promote`)
      .set(await t.auth('leader'))
      .send({ ...body, memberIds: kept });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.members.map((m: { id: string }) => m.id).sort()).to.deep.equal([...kept].sort());
    expect(res.body.suggested.map((m: { id: string }) => m.id)).to.deep.equal([ids[1]]);
    const left = await request(t.app)
      .get(`/api/issues/${ids[1]}`)
      .set(await t.auth('dispatcher'));
    expect(left.body.classProblemId).to.equal(null);
    // The promoted cluster leaves the candidates; its members now show who is taken.
    const after = await request(t.app)
      .get(url())
      .set(await t.auth('leader'));
    expect(after.body.classProblemId).to.equal(res.body.id);
    expect(
      after.body.members.filter((m: { available: boolean }) => m.available).map((m: { id: string }) => m.id),
    ).to.deep.equal([ids[1]]);
    expect(after.body.promotableCount).to.equal(1);
  });
});

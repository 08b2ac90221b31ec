// Who manages a class problem and whose words they read (issue 7 §3, DESIGN §4): promotion, members by hand
// and 政策性解决 belong to the city's coordination tier (the director and a city-wide leader); a county leader
// reads the classes and, in full, only the members of the county, and is shown no candidate of other counties'
// enterprises alone; the admin reads figures. A member joins only
// with a unit and unfinished: a `received` issue is the desk's to dispatch first, a closed one has its outcome.
import { expect } from 'chai';
import request from 'supertest';
import { policyReply } from '../../../server/classes/class-resolve.ts';
import { expectError, useTestApp } from '../helpers.ts';

const OUTAGE = [
  '织里镇工业园区这个月已经停了三次电，每次一两个小时，缝纫机全停，赶货期损失很大',
  '又停电了 织里工业园这边 这周第二次 订单要交不出来了',
  '来电人反映，织里镇工业园区近期频繁停电，供电所称线路负荷过大，希望尽快扩容改造',
  '织里园区停电太频繁了，印花机一停整批布就花了，上周停了两次，今天又停电',
];

interface Member {
  id: string;
  number: string;
  readable?: boolean;
  excerpt?: string;
  title?: string;
}

describe('api: class problems, who manages them and what each reader sees', function () {
  this.timeout(60_000);
  const t = useTestApp();
  const ids: string[] = [];
  let clusterId = '';
  let anjiNumber = '';

  const create = async (enterpriseId: string, content: string, category = 'utilities') => {
    const res = await request(t.app)
      .post('/api/issues')
      .set(await t.auth('dispatcher'))
      .send({ enterprise: { id: enterpriseId }, channel: 'window', category, urgency: 'normal', content });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as { id: string; number: string; state: string };
  };

  const as = async (user: string) => t.auth(user);

  before(async () => {
    const outside = t.seed!.enterprises.filter((e) => e.region !== 'anji');
    for (const [k, text] of OUTAGE.entries()) {
      ids.push((await create(String(outside[k]._id), text)).id);
      t.clock.advance(3_600_000);
    }
    const leader = await t.models.User.findOne({ username: 'leader' }).lean();
    const { _id: _drop, ...rest } = leader!;
    await t.models.User.collection.insertOne({ ...rest, username: 'leader-anji', region: 'anji' });
    await request(t.app)
      .post('/api/class-problems/cluster')
      .set(await as('director'))
      .expect(200);
    const list = await request(t.app)
      .get('/api/class-problems/candidates')
      .set(await as('leader'))
      .expect(200);
    clusterId = list.body.items.find((c: { memberCount: number }) => c.memberCount >= 3).id;
  });

  const promoteBody = () => ({
    title: '织里工业园区频繁停电',
    leadUnitId: String(t.seed!.units.find((u) => u.code.startsWith('city-'))!._id),
    coUnitIds: [],
    workingDays: 10,
    rootCause: '园区线路负荷超限',
    measure: '新增变压器',
  });

  it('a county leader may not promote, add, remove or resolve (403); the city leader and director may', async () => {
    const county = await as('leader-anji');
    expectError(
      await request(t.app)
        .post(`/api/class-problems/candidates/${clusterId}/promote`)
        .set(county)
        .send(promoteBody()),
      403,
      'forbidden',
    );
    const promoted = await request(t.app)
      .post(`/api/class-problems/candidates/${clusterId}/promote`)
      .set(await as('leader'))
      .send(promoteBody());
    expect(promoted.status, JSON.stringify(promoted.body)).to.equal(201);
    const classId = promoted.body.id;
    // An Anji enterprise's outage, added by hand: the one member the county leader reads in full below.
    const anji = t.seed!.enterprises.find((e) => e.region === 'anji')!;
    const other = await create(String(anji._id), '园区停电导致生产线停工，请协调供电');
    anjiNumber = other.number;
    for (const req of [
      request(t.app)
        .post(`/api/class-problems/${classId}/members`)
        .send({ issueIds: [other.id] }),
      request(t.app).delete(`/api/class-problems/${classId}/members/${ids[0]}`),
      request(t.app)
        .post(`/api/class-problems/${classId}/resolve`)
        .send({ answer: '已统一协调', verify: false }),
    ])
      expectError(await req.set(county), 403, 'forbidden');
    const added = await request(t.app)
      .post(`/api/class-problems/${classId}/members`)
      .set(await as('director'))
      .send({ issueIds: [other.id] });
    expect(added.status, JSON.stringify(added.body)).to.equal(200);
    expect(added.body.members.map((m: Member) => m.id)).to.include(other.id);
  });

  it('a county leader reads the members of the county in full and the others as outlines', async () => {
    const [cls] = (
      await request(t.app)
        .get('/api/class-problems')
        .set(await as('leader-anji'))
        .expect(200)
    ).body.items;
    const detail = await request(t.app)
      .get(`/api/class-problems/${cls.id}`)
      .set(await as('leader-anji'))
      .expect(200);
    const members: Member[] = detail.body.members;
    const own = members.filter((m) => m.readable);
    expect(own.map((m) => m.number)).to.deep.equal([anjiNumber]);
    for (const m of members.filter((x) => x.number !== anjiNumber)) {
      expect(m.readable, m.number).to.equal(false);
      expect(m).not.to.have.property('title');
    }
    expect(detail.body.suggested).to.deep.equal([]);
    const city = await request(t.app)
      .get(`/api/class-problems/${cls.id}`)
      .set(await as('leader'))
      .expect(200);
    expect(city.body.members.every((m: Member) => m.readable)).to.equal(true);
  });

  it('the admin reads a class’s figures and its members as outlines, and no issue’s words', async () => {
    const admin = await as('admin');
    const [cls] = (await request(t.app).get('/api/class-problems').set(admin).expect(200)).body.items;
    const detail = await request(t.app).get(`/api/class-problems/${cls.id}`).set(admin).expect(200);
    expect(detail.body.memberCount).to.be.at.least(3);
    expect(detail.body.members.every((m: Member) => m.readable === false && !('title' in m))).to.equal(true);
  });

  it('candidates: the representative’s words and each member’s excerpt only for those who may open it', async () => {
    const issues = await Promise.all(
      [0, 1, 2].map((k) =>
        create(
          String(t.seed!.enterprises[20 + k]._id),
          [
            '出口退税申报三个月了还没到账，资金周转困难',
            '退税款迟迟不到账，企业现金流紧张',
            '出口退税进度太慢，催了几次都说在审核',
          ][k],
          'tax',
        ),
      ),
    );
    await request(t.app)
      .post('/api/class-problems/cluster')
      .set(await as('director'))
      .expect(200);
    const items = async (user: string) =>
      (
        await request(t.app)
          .get('/api/class-problems/candidates')
          .set(await as(user))
          .expect(200)
      ).body.items as { id: string; representative: { text: string | null } }[];
    const open = await items('leader');
    expect(open.length, 'a tax candidate').to.be.at.least(1);
    expect(open.every((c) => typeof c.representative.text === 'string')).to.equal(true);
    for (const user of ['admin', 'leader-anji'])
      expect(
        (await items(user)).every((c) => c.representative.text === null),
        user,
      ).to.equal(true);
    const candidate = open[0];
    const detail = async (user: string) =>
      (
        await request(t.app)
          .get(`/api/class-problems/candidates/${candidate.id}`)
          .set(await as(user))
          .expect(200)
      ).body as { suggestedTitle: string; members: Member[] };
    const full = await detail('director');
    expect(full.members.map((m) => m.id)).to.have.members(issues.map((i) => i.id));
    expect(full.members.every((m) => m.readable && m.excerpt)).to.equal(true);
    expect(full.suggestedTitle).not.to.equal('');
    const outlined = await detail('admin');
    expect(outlined.suggestedTitle).to.equal('');
    expect(outlined.members.every((m) => m.readable === false && !m.excerpt && !m.title)).to.equal(true);
  });

  it('a county leader reads the words of a candidate whose members are all of the county', async () => {
    const anji = t.seed!.enterprises.filter((e) => e.region === 'anji').slice(0, 3);
    const texts = [
      '竹制品出口检验检疫排队太久，货柜压在港口，每天要付滞港费',
      '我们的竹地板出口要检疫，排队一个多月还没轮到，集装箱滞港费很高',
      '竹制品出口检疫等太久了，货压在港口出不去，滞港费一天好几千',
    ];
    for (const [k, text] of texts.entries()) await create(String(anji[k]!._id), text, 'logistics');
    await request(t.app)
      .post('/api/class-problems/cluster')
      .set(await as('director'))
      .expect(200);
    const items = (
      await request(t.app)
        .get('/api/class-problems/candidates')
        .set(await as('leader-anji'))
        .expect(200)
    ).body.items as { regions: { code: string }[]; representative: { text: string | null } }[];
    const own = items.filter((c) => c.regions.every((r) => r.code === 'anji'));
    expect(own.length, 'an Anji-only candidate').to.be.at.least(1);
    expect(own.every((c) => typeof c.representative.text === 'string')).to.equal(true);
    expect(items.filter((c) => !own.includes(c)).every((c) => c.representative.text === null)).to.equal(true);
  });

  it('a county leader is not shown a candidate of other counties’ enterprises alone, nor its members', async () => {
    const changxing = t.seed!.enterprises.filter((e) => e.region === 'changxing').slice(0, 3);
    const texts = [
      '危险废物转移审批太慢，厂里的危废仓库快堆满了，再不转运就要停产',
      '我们的危废转移联单批了一个多月还没批下来，仓库已经放不下了',
      '危废跨市转移审批时间太长，危废暂存库满了，影响正常生产',
    ];
    const filed = [];
    for (const [k, text] of texts.entries())
      filed.push(await create(String(changxing[k]!._id), text, 'enforcement'));
    await request(t.app)
      .post('/api/class-problems/cluster')
      .set(await as('director'))
      .expect(200);
    const list = async (user: string) =>
      (
        await request(t.app)
          .get('/api/class-problems/candidates')
          .set(await as(user))
          .expect(200)
      ).body.items as { id: string; regions: { code: string }[] }[];
    const ids = new Set(filed.map((i) => i.id));
    const hazwaste = [];
    for (const c of await list('leader')) {
      const detail = await request(t.app)
        .get(`/api/class-problems/candidates/${c.id}`)
        .set(await as('leader'))
        .expect(200);
      if (detail.body.members.some((m: Member) => ids.has(m.id))) hazwaste.push(c);
    }
    expect(hazwaste, 'the city leader sees the 长兴 candidate').to.have.length(1);
    const [candidate] = hazwaste;
    expect(candidate.regions.map((r) => r.code)).to.deep.equal(['changxing']);
    expect((await list('leader-anji')).map((c) => c.id)).not.to.include(candidate.id);
    expectError(
      await request(t.app)
        .get(`/api/class-problems/candidates/${candidate.id}`)
        .set(await as('leader-anji')),
      404,
      'cluster_not_found',
    );
    // The admin still reads the clustering's figures city-wide.
    expect((await list('admin')).map((c) => c.id)).to.include(candidate.id);
  });

  it('a received issue (no unit yet) or a closed one cannot join a class (409 illegal_member)', async () => {
    const leader = await as('leader');
    const [cls] = (await request(t.app).get('/api/class-problems').set(leader).expect(200)).body.items;
    const fresh = await create(String(t.seed!.enterprises[30]._id), '园区又停电了，机器全停');
    await t.models.Issue.updateOne({ _id: fresh.id }, { $set: { state: 'received', unitId: null } });
    const closed = await create(String(t.seed!.enterprises[31]._id), '工业园停电，已经恢复了');
    await t.models.Issue.updateOne({ _id: closed.id }, { $set: { state: 'closed' } });
    for (const id of [fresh.id, closed.id]) {
      const res = await request(t.app)
        .post(`/api/class-problems/${cls.id}/members`)
        .set(leader)
        .send({ issueIds: [id] });
      expectError(res, 409, 'illegal_member');
    }
    const issue = await t.models.Issue.findById(fresh.id).lean();
    expect(issue!.classProblemId ?? null).to.equal(null);
  });

  it('政策性解决 leaves a member sent back to the desk (received) for the desk to dispatch', () => {
    const core = { state: 'received', deadlines: null } as unknown as Parameters<typeof policyReply>[0];
    const ctx = { now: new Date(), actor: { id: 'u', username: 'leader', role: 'leader' as const } };
    const mark = { classProblemId: 'c', classNumber: 'LW-2026-001' };
    expect(policyReply(core, '已统一协调', mark, ctx as never)).to.deep.equal({
      kind: 'skip',
      reason: 'received',
    });
  });
});

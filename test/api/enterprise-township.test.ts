// An enterprise's township (乡镇/街道): read from its address at registration, chosen by staff among its
// county's, refused for another county's; and intake routing a local matter of its enterprise to the township
// that declares it, from where it can still go up to the county (DESIGN §4).
import { expect } from 'chai';
import { Types } from 'mongoose';
import request from 'supertest';
import { upgradeStoredIssues } from '../../server/models/issue-upgrades.ts';
import { makeCreditCode } from '../../shared/credit-code.ts';
import { issueRoutingText, suggestRoute } from '../../web/src/lib/routing.ts';
import { expectError, useTestApp } from './helpers.ts';

describe('api: enterprise townships', () => {
  const t = useTestApp();
  const unit = (code: string) => t.seed!.units.find((u) => u.code === code)!;
  let n = 0;
  const register = async (over: object) => {
    n += 1;
    return request(t.app)
      .post('/api/enterprises')
      .set(await t.auth('clerk'))
      .send({
        creditCode: makeCreditCode(`91330502MA2BT${String(n).padStart(4, '0')}`),
        name: `织里测试童装有限公司${n}`,
        region: 'wuxing',
        mobile: '13905720000',
        ...over,
      });
  };

  /** An issue a clerk takes in at the window for the enterprise (category and urgency given, unless `fields` says). */
  const raiseFor = async (enterpriseId: string, fields: object) =>
    (
      await request(t.app)
        .post('/api/issues')
        .set(await t.auth('clerk'))
        .send({ enterprise: { id: enterpriseId }, channel: 'window', urgency: 'normal', ...fields })
        .expect(201)
    ).body;

  it('reads the township from the address at registration, and none when it names none', async () => {
    const named = await register({ address: '浙江省湖州市吴兴区织里镇大港路18号' });
    expect(named.status).to.equal(201);
    expect(named.body.township).to.equal('wuxing-zhili');
    const none = await register({ address: '浙江省湖州市吴兴区人民路1号' });
    expect(none.body.township).to.equal(null);
    // Staff said none: the address does not override them.
    const cleared = await register({ address: '吴兴区织里镇大港路20号', township: '' });
    expect(cleared.body.township).to.equal(null);
  });

  it('400s a township of another county, or no township at all, with stable codes', async () => {
    expectError(await register({ township: 'deqing-xinshi' }), 400, 'township_region_mismatch');
    expectError(await register({ township: 'wuxing-centre' }), 400, 'unknown_township');
    expectError(await register({ township: 'nowhere' }), 400, 'unknown_township');
    const ok = await register({ township: 'wuxing-miaoxi' });
    const id = ok.body.id as string;
    const patch = async (body: object) =>
      request(t.app)
        .patch(`/api/enterprises/${id}`)
        .set(await t.auth('clerk'))
        .send(body);
    expectError(await patch({ township: 'anji-dipu' }), 400, 'township_region_mismatch');
    // The new county's township in the same correction is fine; a move without one reads the address.
    expect((await patch({ region: 'anji', township: 'anji-dipu' })).body.township).to.equal('anji-dipu');
    const moved = await patch({ region: 'deqing', address: '德清县新市镇北街1号' });
    expect(moved.body.township).to.equal('deqing-xinshi');
    expect((await patch({ region: 'wuxing' })).body.township, 'no 吴兴 township in that address').to.equal(
      null,
    );
    expect((await patch({ township: '' })).status).to.equal(200);
  });

  it('gives enterprises stored before townships the one their address names, once, at start-up', async () => {
    const [named, other, chosen] = t.seed!.enterprises.filter((e) => e.region === 'deqing' && e.township);
    const stored = t.models.Enterprise.collection;
    await stored.updateMany({ _id: { $in: [named._id, other._id] } }, { $unset: { township: 1 } });
    await stored.updateOne({ _id: other._id }, { $set: { address: '德清县某某路1号' } });
    await stored.updateOne({ _id: chosen._id }, { $set: { township: 'deqing-moganshan' } });
    expect((await upgradeStoredIssues(t.models, t.clock.now()))['enterprise.township']).to.equal(1);
    const townshipOf = async (e: { _id: unknown }) =>
      (await stored.findOne({ _id: e._id as never }))?.township;
    expect(await townshipOf(named)).to.equal(named.township);
    expect(await townshipOf(other), 'its address names none').to.equal(undefined);
    expect(await townshipOf(chosen), 'as staff set it').to.equal('deqing-moganshan');
    expect(await upgradeStoredIssues(t.models, t.clock.now())).to.deep.equal({});
  });

  it('gives open issues taken in before issues carried a township their enterprise’s, once, at start-up', async () => {
    const zhili = (await register({ address: '吴兴区织里镇珍贝路9号' })).body;
    const none = (await register({ address: '吴兴区某某路1号' })).body;
    const content = '园区供水管网压力不足，白天经常停水，影响生产。';
    const open = await raiseFor(zhili.id, { content, category: 'utilities' });
    const closed = await raiseFor(zhili.id, { content: `${content}（已办结）`, category: 'utilities' });
    const elsewhere = await raiseFor(none.id, { content, category: 'utilities' });
    const stored = t.models.Issue.collection;
    const ids = [open, closed, elsewhere].map((i) => new Types.ObjectId(i.id));
    // As an earlier version stored them: no township on the issue.
    await stored.updateMany({ _id: { $in: ids } }, { $unset: { township: 1 } });
    await stored.updateOne({ _id: ids[1] }, { $set: { state: 'closed' } });
    // As a database the step has not run on (an earlier test here ran every step).
    await t.models.Issue.db.collection('upgrades').deleteOne({ _id: 'issue.township' as never });
    expect(await upgradeStoredIssues(t.models, t.clock.now())).to.deep.equal({ 'issue.township': 1 });
    const townshipOf = async (id: Types.ObjectId) => (await stored.findOne({ _id: id }))?.township;
    expect(await townshipOf(ids[0])).to.equal('wuxing-zhili');
    expect(await townshipOf(ids[1]), 'finished: no desk or reclassify shows it').to.equal(undefined);
    expect(await townshipOf(ids[2]), 'its enterprise has none').to.equal(undefined);
    expect(await upgradeStoredIssues(t.models, t.clock.now())).to.deep.equal({});
  });

  it('routes a local matter to the township that declares it; it escalates to the county', async () => {
    const zhili = unit('wuxing-zhili');
    const centre = unit('wuxing-centre');
    await request(t.app)
      .patch(`/api/units/${String(zhili._id)}`)
      .set(await t.auth('admin'))
      .send({ categories: ['utilities'] })
      .expect(200);
    const enterprise = (await register({ address: '吴兴区织里镇珍贝路9号' })).body;
    const raise = (category: string) =>
      raiseFor(enterprise.id, {
        content: '园区供水管网压力不足，白天经常停水，影响印染车间生产。',
        category,
      });
    const issue = await raise('utilities');
    expect(issue).to.include({ state: 'dispatched', unitId: String(zhili._id) });
    // A category the township does not declare goes to the county, as before.
    expect((await raise('land')).unitId).to.equal(String(centre._id));

    const handler = await t.auth('handler-wuxing-zhili');
    const mine = await request(t.app)
      .get('/api/issues')
      .query({ unitId: String(zhili._id) })
      .set(handler);
    expect(mine.body.items.map((i: { id: string }) => i.id)).to.include(issue.id);
    const act = async (who: string, action: string, body: object) =>
      request(t.app)
        .post(`/api/issues/${issue.id}/actions/${action}`)
        .set(await t.auth(who))
        .send(body)
        .expect(200);
    await act('handler-wuxing-zhili', 'sign', {});
    expect(
      (await act('director', 'escalate', { reason: '涉及全区管网改造，镇里协调不了' })).body.state,
    ).to.equal('consulting');
    const decided = await act('director', 'decide', { unitId: String(centre._id), workingDays: 10 });
    expect(decided.body).to.include({ state: 'in_progress', unitId: String(centre._id), level: 'county' });

    // A message intake could not classify goes to the township once a dispatcher gives it its category.
    const vague = await raiseFor(enterprise.id, {
      content: '有情况需要反映，请尽快联系我们。',
      urgency: undefined,
    });
    expect(vague.state).to.equal('received');
    const reclassified = await request(t.app)
      .post(`/api/issues/${vague.id}/actions/reclassify`)
      .set(await t.auth('dispatcher'))
      .send({ category: 'utilities', reason: '电话核实为停水问题' })
      .expect(200);
    expect(reclassified.body).to.include({ state: 'dispatched', unitId: String(zhili._id) });
  });

  it('the desk’s suggestion and 重新分类’s preview for a waiting issue name the township, as intake does', async () => {
    const zhili = unit('wuxing-zhili');
    const admin = await t.auth('admin');
    await request(t.app)
      .patch(`/api/units/${String(zhili._id)}`)
      .set(admin)
      .send({ categories: ['utilities'] })
      .expect(200);
    const enterprise = (await register({ address: '吴兴区织里镇珍贝路9号' })).body;
    const content = '园区供水管网压力不足，白天经常停水，影响印染车间生产。';
    // A message intake could not classify waits in 受理分办台; the classifier's guess, say, was 水电气.
    const waiting = await raiseFor(enterprise.id, {
      content: '有情况需要反映，请尽快联系我们。',
      urgency: undefined,
    });
    const stored = t.models.Issue.collection;
    await stored.updateOne({ _id: new Types.ObjectId(waiting.id) }, { $set: { category: 'utilities' } });
    expect(waiting.state).to.equal('received');

    const dispatcher = await t.auth('dispatcher');
    const get = async (path: string, query: object = {}) =>
      (await request(t.app).get(path).query(query).set(dispatcher).expect(200)).body;
    const [cards, units, rules] = await Promise.all([
      get('/api/issues', { queue: 'triage', view: 'cards' }),
      get('/api/units'),
      get('/api/routing-rules'),
    ]);
    const card = cards.items.find((i: { id: string }) => i.id === waiting.id);
    expect(card.township).to.equal('wuxing-zhili');
    const suggest = (category: string) =>
      suggestRoute(rules.items, units.items, {
        category: category as never,
        region: card.region,
        township: card.township,
        text: issueRoutingText(card),
      });
    // What the desk preselects, and what 重新分类 says saving does: the township, as intake chose.
    // Found in the unit directory (the township declares the category), not in the 默认规则: the tag says so.
    expect(suggest(card.category)).to.deep.include({ confident: true, source: 'directory' });
    expect(suggest(card.category)?.unit.code).to.equal('wuxing-zhili');
    expect(suggest('land')?.unit.code, 'a category it does not declare').to.equal('wuxing-centre');
    expect(suggest('land')?.source, 'the 默认规则 name the county centre').to.equal('default');
    const reclassified = await request(t.app)
      .post(`/api/issues/${waiting.id}/actions/reclassify`)
      .set(dispatcher)
      .send({ category: 'land', reason: '电话核实为用地问题' });
    expect(reclassified.status, JSON.stringify(reclassified.body)).to.equal(200);
    expect(reclassified.body.unitId).to.equal(suggest('land')?.unit.id);

    // A township rule: 测试分办 (the same function) names its unit for that township only.
    const rule = {
      category: 'utilities',
      region: 'wuxing-zhili',
      unitId: String(unit('city-construction')._id),
    };
    await request(t.app).post('/api/routing-rules').set(admin).send(rule).expect(201);
    const withRule = await get('/api/routing-rules');
    const test = (township: string | null) =>
      suggestRoute(withRule.items, units.items, {
        category: 'utilities',
        region: 'wuxing',
        township,
        text: content,
      });
    expect(test('wuxing-zhili')).to.deep.include({ source: 'rule' });
    expect(test('wuxing-zhili')?.unit.code).to.equal('city-construction');
    expect(test('wuxing-balidian')?.unit.code).to.equal('wuxing-centre');
    expect(test(null)?.unit.code).to.equal('wuxing-centre');
  });

  it('takes an admin rule naming a township for that township’s enterprises only', async () => {
    const admin = await t.auth('admin');
    const rule = (region: string) =>
      request(t.app)
        .post('/api/routing-rules')
        .set(admin)
        .send({ category: 'approval', region, unitId: String(unit('city-gov-service')._id) });
    expectError(await rule('wuxing-centre'), 400, 'validation_failed');
    expect((await rule('wuxing-daixi')).status).to.equal(201);
    const raise = async (address: string) => {
      const enterprise = (await register({ address })).body;
      const content = '厂房扩建的施工许可申请材料反复补正，一个多月还没批下来。';
      return (await raiseFor(enterprise.id, { content, category: 'approval' })).unitId;
    };
    expect(await raise('吴兴区埭溪镇上强工业园5号')).to.equal(String(unit('city-gov-service')._id));
    expect(await raise('吴兴区妙西镇妙山村1号')).to.equal(String(unit('wuxing-centre')._id));
  });
});

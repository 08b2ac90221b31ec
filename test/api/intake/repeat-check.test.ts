// The duplicate check in the intake pipeline with the trained text core (issue 7 §2): the same complaint from
// one enterprise through two channels becomes one issue; a borderline message becomes its own issue flagged
// 可能重复 with the candidate, waiting for the dispatcher (never merged silently); and "similar issues" on an
// issue lists the same enterprise's first, then other enterprises', only those the caller may read.
import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { channelSecretKeyOf } from '../../../server/channels/credentials.ts';
import { seedDemoChannelCredentials } from '../../../server/channels/demo-credentials.ts';
import { appWithCorpusModel } from '../corpus-app.ts';
import { postHotlineOrder } from '../helpers.ts';
import { enterpriseIn, handlerOf, useIssueApp } from '../issues/fixtures.ts';

const WATER =
  '关于请求尽快恢复我司厂区供水的函：我司位于八里店镇的厂区自本周一起自来水水压严重不足，印染车间无法正常用水，已多次联系水务公司未果，恳请协调尽快处理。';
const WATER_AGAIN =
  '八里店厂区的自来水这周一开始水压就上不来 印染车间用不了水 水务公司打了好几次电话都没人来 能不能帮忙催一下';
const SEWER = '厂区的污水管道堵了，印染废水排不出去，请帮忙联系疏通。';
const BILL = '厂区的电费单这个月比上个月贵了一倍，想问问是怎么算的。';

describe('intake: duplicate check with the text core', function () {
  this.timeout(120_000);
  const t = useIssueApp();
  let app: Express;
  let seq = 0;

  before(async () => {
    await seedDemoChannelCredentials(t.models, channelSecretKeyOf(t.config), t.clock);
    ({ app } = await appWithCorpusModel(t));
  });

  const hotline = (creditCode: string, content: string) => {
    seq += 1;
    const raw = JSON.stringify({ orderId: `WO-REP-${seq}`, creditCode, content });
    return postHotlineOrder(app, raw).expect(200);
  };
  const zheliban = (name: string, content: string) => {
    seq += 1;
    return request(app)
      .post('/api/intake/zheliban')
      .set('X-Api-Key', 'demo-zheliban-key')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ externalId: `ZLB-REP-${seq}`, enterpriseName: name, content }))
      .expect(200);
  };
  const byNumber = (number: string) => t.models.Issue.findOne({ number }).lean();

  let first: { number: string; id: string };
  let flagged: { number: string; id: string };
  let elsewhere: { number: string; id: string };
  const e = () => enterpriseIn(t, 'wuxing', 3);

  it('merges the same complaint re-told through another channel into one issue', async () => {
    const a = await hotline(e().creditCode, WATER);
    expect(a.body).to.include({ status: 'created' });
    first = { number: a.body.number, id: String((await byNumber(a.body.number))?._id) };
    const b = await zheliban(e().name, WATER_AGAIN);
    expect(b.body).to.include({ status: 'merged', number: a.body.number });
    const issue = await byNumber(a.body.number);
    expect(issue?.sources?.map((s) => s.channel)).to.deep.equal(['zheliban']);
    expect(await t.models.Issue.countDocuments({ enterpriseId: e()._id })).to.equal(1);
  });

  it('flags a borderline message 可能重复 with the candidate and leaves it to the dispatcher', async () => {
    const res = await zheliban(e().name, SEWER);
    expect(res.body).to.include({ status: 'created' });
    const issue = await byNumber(res.body.number);
    flagged = { number: res.body.number, id: String(issue?._id) };
    expect(issue?.state).to.equal('received');
    expect(issue?.possibleRepeat).to.include({ number: first.number });
    expect(String(issue?.possibleRepeat?.issueId)).to.equal(first.id);
    const note = issue?.timeline.find((ev) => ev.data?.kind === 'possible_repeat');
    expect(note).to.include({ public: false, action: 'note' });
    expect(note?.note).to.include('可能重复').and.include(first.number);

    const detail = await request(app)
      .get(`/api/issues/${flagged.id}`)
      .set(await t.auth('dispatcher'))
      .expect(200);
    expect(detail.body.possibleRepeat).to.include({ id: first.id, number: first.number });
    const queue = await request(app)
      .get('/api/issues?queue=triage&limit=100')
      .set(await t.auth('dispatcher'));
    const row = queue.body.items.find((i: { id: string }) => i.id === flagged.id);
    expect(row?.possibleRepeat).to.include({ number: first.number });
    // The candidate itself is untouched.
    expect((await byNumber(first.number))?.sources).to.have.length(1);
  });

  it('shows 可能重复 only while the dispatcher decides: once dispatched, no reader sees the other issue', async () => {
    const firstUnit = String((await byNumber(first.number))?.unitId);
    const unit = t.data.units.find((u) => String(u._id) !== firstUnit && u.level === 'county')!;
    await request(app)
      .post(`/api/issues/${flagged.id}/actions/dispatch`)
      .set(await t.auth('dispatcher'))
      .send({ unitId: String(unit._id) })
      .expect(200);
    // The other unit's handler reads this issue, not the one it was thought to repeat (another unit's).
    for (const who of [handlerOf(unit.code), 'dispatcher']) {
      const detail = await request(app)
        .get(`/api/issues/${flagged.id}`)
        .set(await t.auth(who))
        .expect(200);
      expect(detail.body.possibleRepeat).to.equal(null);
      // Nor does the timeline's note name it (it did: 可能重复：与 HZ-…「…」).
      const notes = (detail.body.timeline as { note: string | null; data: { kind?: string } | null }[])
        .filter((e) => e.data?.kind === 'possible_repeat')
        .map((e) => `${e.note} ${JSON.stringify(e.data)}`);
      expect(notes).to.have.length(1);
      expect(notes[0]).to.not.contain(first.number).and.not.contain(first.id);
    }
    // Stored as it was: the timeline's note keeps the record.
    expect((await byNumber(flagged.number))?.possibleRepeat).to.include({ number: first.number });
  });

  it('takes a different problem of the same enterprise in as a new issue, unflagged', async () => {
    const res = await zheliban(e().name, BILL);
    expect(res.body).to.include({ status: 'created' });
    expect((await byNumber(res.body.number))?.possibleRepeat ?? null).to.equal(null);
  });

  it('lists similar issues: the same enterprise first, then others the caller may read', async () => {
    const other = await hotline(enterpriseIn(t, 'changxing', 2).creditCode, WATER_AGAIN);
    elsewhere = { number: other.body.number, id: String((await byNumber(other.body.number))?._id) };
    const res = await request(app)
      .get(`/api/issues/${first.id}/similar`)
      .set(await t.auth('dispatcher'))
      .expect(200);
    const items = res.body.items as { id: string; sameEnterprise: boolean; score: number }[];
    expect(items.map((i) => i.id)).to.include.members([flagged.id, elsewhere.id]);
    expect(items.map((i) => i.id)).not.to.include(first.id);
    const firstOther = items.findIndex((i) => !i.sameEnterprise);
    expect(items.slice(0, firstOther).every((i) => i.sameEnterprise)).to.equal(true);
    expect(items.find((i) => i.id === elsewhere.id)).to.include({ sameEnterprise: false });
  });

  it('scores other enterprises’ issues by shared wording: a phrase in common (发货…延误) scores low', async () => {
    const post = async (n: number, content: string) => {
      const res = await request(app)
        .post('/api/issues')
        .set(await t.auth('dispatcher'))
        .send({
          enterprise: { id: String(enterpriseIn(t, 'deqing', n)._id) },
          channel: 'window',
          category: 'logistics',
          urgency: 'normal',
          content,
        });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      return res.body.id as string;
    };
    const parcel = await post(3, '山区厂区附近快递网点少，电商订单发货经常延误。');
    const trucks = await post(4, '反映长兴县城货车限行问题：企业成品发货受限，客户投诉交货延误');
    const parcelAgain = await post(
      5,
      '我们厂在山里，附近没有快递网点，网店的订单发货老是延误，快递很少上门揽收。',
    );
    const res = await request(app)
      .get(`/api/issues/${parcel}/similar`)
      .set(await t.auth('dispatcher'))
      .expect(200);
    const others = (res.body.items as { id: string; sameEnterprise: boolean; score: number }[]).filter(
      (i) => !i.sameEnterprise,
    );
    const scoreOf = (id: string) => others.find((i) => i.id === id)?.score ?? 0;
    // The same problem told by another enterprise scores well; the shared phrase, if listed at all, low.
    expect(scoreOf(parcelAgain)).to.be.above(0.3);
    expect(scoreOf(trucks)).to.be.below(0.2);
    expect(others[0]?.id).to.equal(parcelAgain);
  });

  it('answers similar issues only to staff who may read the issue, with only issues they may read', async () => {
    await request(app).get(`/api/issues/${first.id}/similar`).expect(401);
    await request(app)
      .get('/api/issues/not-an-id/similar')
      .set(await t.auth('dispatcher'))
      .expect(400);
    const issue = await byNumber(first.number);
    const otherIssue = await byNumber(elsewhere.number);
    expect(String(issue?.unitId)).not.to.equal(String(otherIssue?.unitId));
    const unit = t.data.units.find((u) => String(u._id) === String(issue?.unitId));
    const stranger = t.data.units.find((u) => String(u._id) === String(otherIssue?.unitId));
    if (!unit || !stranger) throw new Error('both issues should have been dispatched to seeded units');
    // The other unit's handler may not read this issue: 404, as for one that does not exist.
    await request(app)
      .get(`/api/issues/${first.id}/similar`)
      .set(await t.auth(handlerOf(stranger.code)))
      .expect(404);
    const mine = await request(app)
      .get(`/api/issues/${first.id}/similar`)
      .set(await t.auth(handlerOf(unit.code)))
      .expect(200);
    expect(mine.body.items.map((i: { id: string }) => i.id)).not.to.include(elsewhere.id);
  });
});

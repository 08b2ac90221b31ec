// The printed enterprise code (GET /e/:token) as anyone holding it sees it: stage, responsible unit and promised
// date only; unknown and rotated codes get one friendly 404; everything on the page is escaped; the page is
// script-free but for its own live-update script (allowed by its hash) under a strict CSP, and never cached.
import { expect } from 'chai';
import request from 'supertest';
import {
  browser,
  handlerOf,
  issueAwaitingRating,
  issueInProgress,
  pageOf,
  staffAction,
  staffIssue,
  inlineElements,
  useQrApp,
  verifyOwner,
  type QrTestApp,
} from './qr-page.harness.ts';

const SECRET_CONTENT = '厂房验收迟迟未安排，联系人王经理电话13912345678';
const PUBLIC_NOTE = '已与企业电话沟通，下周安排现场验收';
const INTERNAL_NOTE = '内部：需查档，经办人电话0572-2345678';

describe('QR page: the summary for anyone holding the code', () => {
  // Served at an https address: the app-wide headers include HSTS.
  const t: QrTestApp = useQrApp({ env: { PUBLIC_BASE_URL: 'https://qy.example.test' } });
  let issueId: string;
  let staffView: { number: string; unitId: string; deadlines: { resolveBy: string } };

  before(async () => {
    const e = await t.enterprise(0);
    issueId = await issueInProgress(t, e, { title: '新厂房验收', content: SECRET_CONTENT });
    const handler = await handlerOf(t, issueId);
    await staffAction(t, handler, issueId, 'note', { text: PUBLIC_NOTE, public: true });
    await staffAction(t, handler, issueId, 'note', { text: INTERNAL_NOTE, public: false });
    staffView = await staffIssue(t, issueId);
  });

  it('shows the stage, the responsible unit and the promised date in China time', async () => {
    const e = await t.enterprise(0);
    const res = await request(t.app).get(pageOf(e)).expect(200).expect('Content-Type', /html/);
    const unit = t.seed.units.find((u) => String(u._id) === staffView.unitId)!;
    expect(res.text).to.include('办理中');
    expect(res.text).to.include(unit.name);
    expect(res.text).to.include(staffView.number);
    const due = new Date(new Date(staffView.deadlines.resolveBy).getTime() + 8 * 3_600_000);
    expect(res.text).to.include(`${due.getUTCFullYear()}年${due.getUTCMonth() + 1}月${due.getUTCDate()}日前`);
  });

  it('shows no content, no notes, no names of people and no phone numbers', async () => {
    const e = await t.enterprise(0);
    const res = await request(t.app).get(pageOf(e)).expect(200);
    for (const secret of [SECRET_CONTENT, '新厂房验收', PUBLIC_NOTE, INTERNAL_NOTE, e.mobile, e.ownerName]) {
      expect(res.text).to.not.include(secret);
    }
    expect(res.text).to.not.match(/1[3-9]\d{9}|0572|handler-|dispatcher/);
    // The name is masked for code holders (the full name only after verification).
    expect(res.text).to.not.include(e.name);
    expect(res.text).to.include([...e.name].slice(0, 2).join(''));
  });

  it('lists open issues before finished ones', async () => {
    const e = await t.enterprise(0);
    const closedId = await issueAwaitingRating(t, e);
    await staffAction(t, 'dispatcher', closedId, 'rate', { rating: 'good' });
    const res = await request(t.app).get(pageOf(e)).expect(200);
    const open = res.text.indexOf(staffView.number);
    const rejected = res.text.indexOf((await staffIssue(t, closedId)).number);
    expect(open).to.be.greaterThan(-1);
    expect(rejected).to.be.greaterThan(open);
    expect(res.text).to.include('已办结');
  });

  it('says who is responsible before dispatch (服务中心分派中) and after the centre declined an issue (the centre)', async () => {
    const e = await t.enterprise(1);
    const res = await request(t.app)
      .post('/api/issues')
      .set(await t.auth('dispatcher'))
      .send({ enterprise: { id: String(e._id) }, channel: 'window', content: '想咨询一下，麻烦回个电话。' })
      .expect(201);
    expect(res.body.state).to.equal('received');
    const cardOf = (html: string) => {
      const at = html.indexOf(res.body.number);
      return html.slice(html.lastIndexOf('<li', at), html.indexOf('</li>', at));
    };
    expect(cardOf((await request(t.app).get(pageOf(e)).expect(200)).text)).to.include('服务中心分派中');
    await staffAction(t, 'dispatcher', res.body.id, 'reject', { reason: '不属于涉企问题' });
    const card = cardOf((await request(t.app).get(pageOf(e)).expect(200)).text);
    expect(card).to.include('不予受理');
    expect(card).to.include('企业综合服务中心');
    expect(card).to.not.include('服务中心分派中');
  });

  it('runs only its own live-update script, allowed by its hash, under a strict CSP, and is never cached', async () => {
    const e = await t.enterprise(0);
    const res = await request(t.app).get(pageOf(e)).expect(200);
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).to.match(/default-src 'none'/);
    expect(csp).to.not.match(/unsafe-inline|nonce-/);
    // One stylesheet and one script, each allowed by the SHA-256 of its exact text, as a browser checks it.
    const inline = inlineElements(res);
    expect(inline.map((x) => [x.kind, x.attributes, x.allowed])).to.deep.equal([
      ['style', '', true],
      ['script', '', true],
    ]);
    // The stylesheet goes in verbatim (entities are not decoded inside <style>).
    const style = inline[0].text;
    expect(style).to.include('.card>p:first-child');
    expect(style).to.not.match(/&(gt|quot|amp);/);
    // The script is the live update, listening to this page's own stream; a reload link without JS.
    expect(inline[1].text).to.include('EventSource');
    expect(csp).to.match(/connect-src 'self'/);
    expect(res.text).to.include(`data-live="${pageOf(e)}/live"`);
    expect(res.text).to.include('刷新查看最新进展');
    expect(res.headers['cache-control']).to.equal('no-store');
    expect(res.headers['referrer-policy']).to.equal('no-referrer');
    // And the app-wide hardening headers.
    expect(res.headers['x-frame-options']).to.equal('SAMEORIGIN');
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
    expect(res.headers['strict-transport-security']).to.match(/^max-age=/);
    expect(res.text).to.include('name="viewport"');
    // On a phone the hotline in the footer is a tap to call.
    expect(res.text).to.include('<a href="tel:12345">12345</a>');
  });

  it('carries every security header the rest of the app sends, with its own policy and referrer rule in their place', async () => {
    const e = await t.enterprise(0);
    const app = (await request(t.app).get('/healthz').expect(200)).headers;
    // What differs by answer, and the two headers the page sets its own way (asserted above).
    const notShared = new Set(['date', 'connection', 'keep-alive', 'content-type', 'content-length']);
    const own = new Set(['x-request-id', 'content-security-policy', 'referrer-policy']);
    const shared = Object.keys(app).filter((name) => !notShared.has(name) && !own.has(name));
    expect(shared).to.include.members(['strict-transport-security', 'x-frame-options', 'x-xss-protection']);
    for (const path of [pageOf(e), `${pageOf(e)}/no-such-page`, '/e/no-such-code']) {
      const res = await request(t.app).get(path);
      for (const name of shared) expect(res.headers[name], `${path} ${name}`).to.equal(app[name]);
      expect(res.headers['x-request-id'], path).to.match(/^[0-9a-f-]{36}$/);
    }
  });

  it('answers one friendly 404 page for unknown, malformed and rotated codes', async () => {
    const unknown = await request(t.app)
      .get('/e/' + 'A'.repeat(43))
      .expect(404)
      .expect('Content-Type', /html/);
    const malformed = await request(t.app).get('/e/%3Cscript%3E').expect(404);
    const e = await t.enterprise(1);
    await request(t.app).get(pageOf(e)).expect(200);
    await request(t.app)
      .post(`/api/enterprises/${String(e._id)}/qr/rotate`)
      .set(await t.auth('clerk'))
      .expect(200);
    const rotated = await request(t.app).get(pageOf(e)).expect(404);
    expect(rotated.text).to.equal(unknown.text);
    expect(malformed.text).to.include('企业码无法识别');
    expect(unknown.text).to.not.match(/停用原因|rotated|revoked/);
    const fresh = await t.enterprise(1);
    await request(t.app).get(pageOf(fresh)).expect(200);
    await request(t.app)
      .get(`${pageOf(e)}/verify`)
      .expect(404);
    // A mistyped page under a valid code says the page is missing and leads back; under any other code, the
    // same page as above.
    const typo = await request(t.app)
      .get(`${pageOf(fresh)}/verfy`)
      .expect(404);
    expect(typo.text).to.include('页面不存在');
    expect(typo.text).to.include(`href="${pageOf(fresh)}"`);
    expect(typo.text).to.not.include('企业码无法识别');
    expect(
      (
        await request(t.app)
          .get(`${pageOf(e)}/verfy`)
          .expect(404)
      ).text,
    ).to.equal(unknown.text);
    expect(
      (
        await request(t.app)
          .get(`/e/${'A'.repeat(43)}/a/b`)
          .expect(404)
      ).text,
    ).to.equal(unknown.text);
  });

  it('escapes HTML from issue text and enterprise data', async () => {
    const e = await t.enterprise(2);
    await t.models.Enterprise.updateOne({ _id: e._id }, { $set: { name: '<b>恶意</b>"企业"&有限公司' } });
    const res = await request(t.app).get(pageOf(e)).expect(200);
    expect(res.text).to.not.include('<b>');
    expect(res.text).to.include('&lt;b****');
  });
});

describe('QR page: the badge and the promised date say where an issue stands now', () => {
  const t: QrTestApp = useQrApp();
  /** The card of one issue on a page. */
  const cardOf = (html: string, number: string) => {
    const at = html.indexOf(number);
    expect(at, number).to.be.greaterThan(-1);
    return html.slice(html.lastIndexOf('<li', at), html.indexOf('</li>', at));
  };

  it('after the owner taps 不满意 the badge reads 差评核实中 beside the rating, no longer 待评价', async () => {
    const e = await t.enterprise(0);
    const id = await issueAwaitingRating(t, e);
    const { number } = await staffIssue(t, id);
    const b = browser(t);
    const csrf = await verifyOwner(t, b, e);
    expect(cardOf((await b.get(pageOf(e)).expect(200)).text, number)).to.include('待评价');
    await b
      .post(`${pageOf(e)}/issues/${id}/rate`)
      .type('form')
      .send({ _csrf: csrf, rating: 'bad' })
      .expect(303);
    const card = cardOf((await b.get(pageOf(e)).expect(200)).text, number);
    expect(card).to.include('您的评价');
    expect(card).to.include('差评');
    expect(card).to.include('差评核实中');
    expect(card).to.not.include('待评价');
    expect(card).to.not.include('请对办理结果进行评价');
    // Anyone else holding the code reads that it is being handled: not 待评价, and not how the owner rated.
    const guest = cardOf((await request(t.app).get(pageOf(e)).expect(200)).text, number);
    expect(guest).to.include('办理中');
    expect(guest).to.not.match(/待评价|差评/);
  });

  it('in consultation the promised date says a new one comes with the consultation’s decision', async () => {
    const e = await t.enterprise(1);
    const id = await issueInProgress(t, e);
    const { number, unitId } = await staffIssue(t, id);
    const line = '多部门会商确定办理方案后，将重新确定办结时限';
    expect(cardOf((await request(t.app).get(pageOf(e)).expect(200)).text, number)).to.not.include(line);
    await staffAction(t, 'director', id, 'consult', { tier: 'director', unitIds: [unitId] });
    const card = cardOf((await request(t.app).get(pageOf(e)).expect(200)).text, number);
    expect(card).to.include('多部门协调中');
    expect(card).to.include('承诺办结');
    expect(card).to.include(line);
  });

  it('a merged issue names, for the owner, the issue of theirs it is handled with', async () => {
    const e = await t.enterprise(2);
    const master = await issueInProgress(t, e, { content: '新厂房消防验收一直没有安排' });
    const copy = await issueInProgress(t, e, { content: '厂房消防验收的事情还没人来' });
    await staffAction(t, 'dispatcher', copy, 'merge', { intoId: master });
    const [{ number: masterNumber }, { number: copyNumber }] = [
      await staffIssue(t, master),
      await staffIssue(t, copy),
    ];
    const b = browser(t);
    await verifyOwner(t, b, e);
    const card = cardOf((await b.get(pageOf(e)).expect(200)).text, copyNumber);
    expect(card).to.include('已合并办理');
    expect(card).to.include(`<a href="#issue-${master}">${masterNumber}</a>`);
    expect(card).to.include('与该问题一并办理');
    // Whoever holds the code sees the centre answering for it, not the unit it had before the merge (the
    // master may be at another unit).
    const copyUnit = (await staffIssue(t, copy)).unitName as string;
    const guest = cardOf((await request(t.app).get(pageOf(e)).expect(200)).text, copyNumber);
    expect(guest).to.include('企业综合服务中心').and.not.include(copyUnit);
  });

  it('a finished issue shows a guest its stage and unit, not the dates it was raised and closed', async () => {
    const e = await t.enterprise(0);
    const id = await issueAwaitingRating(t, e);
    await staffAction(t, 'dispatcher', id, 'rate', { rating: 'good' });
    const { number } = await staffIssue(t, id);
    const guest = cardOf((await request(t.app).get(pageOf(e)).expect(200)).text, number);
    expect(guest).to.include('已办结');
    expect(guest).to.include('责任单位');
    expect(guest).to.not.match(/提出日期|办结日期|\d{4}年\d{1,2}月\d{1,2}日/);
    // The verified owner sees when it was closed.
    const b = browser(t);
    await verifyOwner(t, b, e);
    expect(cardOf((await b.get(pageOf(e)).expect(200)).text, number)).to.include('办结日期');
  });

  it('a promised date that has passed reads 已超期 N 个工作日, on the summary and the owner page', async () => {
    const e = await t.enterprise(1);
    const id = await issueInProgress(t, e);
    const { number, deadlines } = await staffIssue(t, id);
    const resolveBy = new Date(deadlines.resolveBy);
    expect(cardOf((await request(t.app).get(pageOf(e)).expect(200)).text, number)).to.not.include('已超期');
    // Due at the end of a working day (Monday 9 March 2026); two working days later (Tuesday, Wednesday).
    expect(resolveBy.toISOString()).to.equal('2026-03-09T09:30:00.000Z');
    t.clock.set(new Date(resolveBy.getTime() + 2 * 24 * 3_600_000));
    const summary = cardOf((await request(t.app).get(pageOf(e)).expect(200)).text, number);
    expect(summary).to.include('2026年3月9日前');
    expect(summary).to.include('已超期 2 个工作日');
    const b = browser(t);
    await verifyOwner(t, b, e);
    expect(cardOf((await b.get(pageOf(e)).expect(200)).text, number)).to.include('已超期 2 个工作日');
  });
});

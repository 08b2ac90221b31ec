// The verified owner's progress list in the enterprise's words: a step that hands the issue to a unit names
// that unit (never the staff note beside it, such as intake's "系统按分类与属地自动分办" or a transfer's
// reason), and the centre's check of a bad rating says what it came to: redone with a new date, or not upheld.
// The note after a bad rating promises the check, not a redo decided before it.
import { expect } from 'chai';
import request from 'supertest';
import {
  browser,
  csrfOf,
  issueAwaitingRating,
  issueInProgress,
  pageOf,
  staffAction,
  staffIssue,
  useQrApp,
  verifyOwner,
  type Browser,
  type QrTestApp,
} from './qr-page.harness.ts';
import type { EnterpriseDoc } from '../../server/models/index.ts';

const SECRET = '内部：该企业多次重复投诉，按惯例处理';

/** The progress line of the issue's card that starts with `label`, as the page renders it. */
function progressLine(page: string, id: string, label: string): string | undefined {
  const card = page.slice(page.indexOf(`id="issue-${id}"`));
  const items = card.slice(0, card.indexOf('</ol>')).split('<li>');
  return items.map((s) => s.replace(/<\/li>/g, '').trim()).find((s) => s.includes(` ${label}`));
}

/** China-time 12月11日 of a stored date. */
const monthDay = (d: string) => {
  const c = new Date(new Date(d).getTime() + 8 * 3600_000);
  return `${c.getUTCMonth() + 1}月${c.getUTCDate()}日`;
};

describe("QR page: progress in the owner's words", () => {
  const t: QrTestApp = useQrApp();

  async function rateBad(b: Browser, e: EnterpriseDoc, id: string) {
    const csrf = csrfOf((await b.get(pageOf(e)).expect(200)).text);
    return b
      .post(`${pageOf(e)}/issues/${id}/rate`)
      .type('form')
      .send({ _csrf: csrf, rating: 'bad', comment: '补贴仍未到账' })
      .expect(303);
  }

  it('an issue routed automatically names its unit, not the intake note', async () => {
    const e = await t.enterprise(5);
    // A category given by staff is confident: intake routes the issue at once.
    const created = await request(t.app)
      .post('/api/issues')
      .set(await t.auth('clerk'))
      .send({
        enterprise: { id: String(e._id) },
        channel: 'window',
        category: 'utilities',
        urgency: 'normal',
        content: '企业新车间需要用电增容到2000千伏安，供电所迟迟未安排。',
      })
      .expect(201);
    const id = created.body.id as string;
    const issue = await t.models.Issue.findById(id).lean();
    const dispatch = issue!.timeline.find((s) => s.action === 'dispatch');
    expect(dispatch?.note, 'intake routed the issue').to.equal('系统按分类与属地自动分办');
    const b = browser(t);
    await verifyOwner(t, b, e);
    const page = (await b.get(pageOf(e)).expect(200)).text;
    expect(page).to.not.include('系统按分类与属地自动分办');
    expect(progressLine(page, id, '分派承办单位')).to.match(
      new RegExp(`分派承办单位：<span class="content">${issue!.unitName}</span>$`),
    );
  });

  it('a transfer names the unit it went to, never the reason staff gave', async () => {
    const e = await t.enterprise(6);
    const id = await issueInProgress(t, e);
    const from = (await staffIssue(t, id)).unitId as string;
    const to = t.seed.units.find((u) => String(u._id) !== from && u.level === 'city')!;
    await staffAction(t, 'dispatcher', id, 'transfer', { unitId: String(to._id), reason: SECRET });
    const b = browser(t);
    await verifyOwner(t, b, e);
    const page = (await b.get(pageOf(e)).expect(200)).text;
    expect(page).to.not.include(SECRET);
    const first = t.seed.units.find((u) => String(u._id) === from)!;
    expect(progressLine(page, id, '分派承办单位')).to.match(
      new RegExp(`分派承办单位：<span class="content">${first.name}</span>$`),
    );
    expect(progressLine(page, id, '转交承办单位')).to.match(
      new RegExp(`转交承办单位：<span class="content">${to.name}</span>$`),
    );
  });

  // The centre's reason for its finding is the enterprise's to read: the staff form says so (理由…企业可见), and
  // the 12345 push-back has always carried it (差评经核实不成立（…）).
  it('a bad rating found reasonable: the owner reads that it is redone, why, and by when', async () => {
    const e = await t.enterprise(7);
    const id = await issueAwaitingRating(t, e);
    const b = browser(t);
    await verifyOwner(t, b, e);
    const rated = await rateBad(b, e, id);
    const notice = (await b.get(rated.headers.location as string).expect(200)).text;
    expect(notice).to.include('已收到您的差评。服务中心将在1个工作日内核实，核实结果将在本页显示。');
    expect(notice).to.not.include('重新办理');
    await staffAction(t, 'dispatcher', id, 'verify_rating', {
      reasonable: true,
      reason: '答复未解决停电问题',
    });
    const redo = await staffIssue(t, id);
    const page = (await b.get(pageOf(e)).expect(200)).text;
    expect(progressLine(page, id, '核实评价')).to.match(
      new RegExp(
        `核实评价：<span class="content">差评属实（理由：答复未解决停电问题），已重新交办，新的办结时限为${monthDay(redo.deadlines.resolveBy)}</span>$`,
      ),
    );
  });

  it('a bad rating not upheld: the owner reads the outcome and the centre’s reason', async () => {
    const e = await t.enterprise(8);
    const id = await issueAwaitingRating(t, e);
    const b = browser(t);
    await verifyOwner(t, b, e);
    await rateBad(b, e, id);
    await staffAction(t, 'director', id, 'verify_rating', {
      reasonable: false,
      reason: '所提诉求超出现行政策范围，已当面解释',
    });
    const page = (await b.get(pageOf(e)).expect(200)).text;
    expect(progressLine(page, id, '核实评价')).to.match(
      /核实评价：<span class="content">差评核实不予支持（理由：所提诉求超出现行政策范围，已当面解释），问题已办结<\/span>$/,
    );
  });
});

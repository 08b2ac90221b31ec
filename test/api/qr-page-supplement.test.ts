// 补充材料 on the QR page: the verified owner adds words and files to an issue still being handled (a unit may
// wait on the enterprise's materials), or says why it rated the answer 不满意 while the centre checks that.
// The unit reads them on the timeline and in the files, the owner sees them in the progress and under
// 提交的材料; an issue awaiting a rating or finished, another enterprise's issue, a missing session or token,
// and an empty form change nothing.
import { expect } from 'chai';
import request from 'supertest';
import type { EnterpriseDoc } from '../../server/models/index.ts';
import { PNG } from './channels/files.fixtures.ts';
import {
  browser,
  csrfOf,
  issueAwaitingRating,
  issueInProgress,
  pageOf,
  useQrApp,
  verifyOwner,
  type Browser,
  type QrTestApp,
} from './qr-page.harness.ts';

function supplement(
  b: Browser,
  e: EnterpriseDoc,
  id: string,
  csrf: string,
  text: string,
  files: string[] = [],
) {
  let req = b
    .post(`${pageOf(e)}/issues/${id}/supplement`)
    .field('_csrf', csrf)
    .field('text', text);
  for (const name of files) req = req.attach('files', PNG, { filename: name, contentType: 'image/png' });
  return req;
}

interface TimelineEvent {
  action: string;
  actorRole: string;
  public: boolean;
  note?: string;
}

describe('QR page: 补充材料 for an issue being handled', () => {
  const t: QrTestApp = useQrApp();

  const staffView = async (id: string) =>
    (
      await request(t.app)
        .get(`/api/issues/${id}`)
        .set(await t.auth('dispatcher'))
        .expect(200)
    ).body as { state: string; timeline: TimelineEvent[] };

  /** The issue's files as staff list them. */
  const staffFiles = async (id: string) =>
    request(t.app)
      .get(`/api/issues/${id}/attachments`)
      .set(await t.auth('dispatcher'))
      .expect(200);

  /** A verified owner of the nth enterprise, one of its issues (made by `issue`), and the page's token. */
  async function ownerWith(nth: number, issue: typeof issueInProgress = issueInProgress) {
    const e = await t.enterprise(nth);
    const id = await issue(t, e);
    const b = browser(t);
    await verifyOwner(t, b, e);
    const csrf = csrfOf((await b.get(pageOf(e)).expect(200)).text);
    return { e, id, b, csrf };
  }

  it('keeps the words and the photo for the unit, and shows both to the owner', async () => {
    const e = await t.enterprise(30);
    const id = await issueInProgress(t, e);
    const b = browser(t);
    await verifyOwner(t, b, e);
    const before = (await b.get(pageOf(e)).expect(200)).text;
    expect(before).to.include(`action="${pageOf(e)}/issues/${id}/supplement"`);
    const res = await supplement(b, e, id, csrfOf(before), '营业执照副本已拍照补充。', ['执照.png']).expect(
      303,
    );
    expect(res.headers.location).to.equal(`${pageOf(e)}?msg=supplemented#issue-${id}`);

    const issue = await staffView(id);
    expect(issue.state).to.equal('in_progress');
    const last = issue.timeline.at(-1)!;
    expect(last).to.include({ action: 'note', actorRole: 'enterprise', public: true });
    expect(last.note).to.equal('营业执照副本已拍照补充。\n附件：执照.png');
    const files = await staffFiles(id);
    expect(
      files.body.items.map((f: { filename: string; source: string }) => [f.filename, f.source]),
    ).to.deep.equal([['执照.png', 'qr']]);

    const page = (await b.get(res.headers.location).expect(200)).text;
    expect(page).to.include('补充材料已提交');
    expect(page).to.include('企业补充材料');
    expect(page).to.include('营业执照副本已拍照补充。');
    expect(page).to.match(
      /<a href="[^"]+\/files\/[0-9a-f]{24}" target="_blank" rel="noopener">执照\.png<\/a/,
    );
  });

  it('the owner’s files cannot use up the unit’s: each side has its own five', async () => {
    const { e, id, b, csrf } = await ownerWith(34);
    const six = ['1.png', '2.png', '3.png', '4.png', '5.png', '6.png'];
    const full = await supplement(b, e, id, csrf, '现场照片共六张。', six).expect(200);
    expect(full.text).to.include('6.png（超过5个上限）');
    const staff = await request(t.app)
      .post(`/api/issues/${id}/attachments`)
      .set(await t.auth('dispatcher'))
      .attach('file', PNG, { filename: '核查记录.png', contentType: 'image/png' })
      .expect(201);
    expect(staff.body.items[0]).to.include({ filename: '核查记录.png', source: 'staff' });
  });

  it('takes five supplements an issue a day: the sixth is refused before any file is read', async () => {
    const { e, id, b, csrf } = await ownerWith(35);
    for (let n = 1; n <= 5; n++) await supplement(b, e, id, csrf, `第${n}次补充说明。`).expect(303);
    const sixth = await supplement(b, e, id, csrf, '第6次补充说明。', ['a.png']).expect(429);
    expect(sixth.text).to.include('本问题今日已补充5次');
    const files = await staffFiles(id);
    expect(files.body.items).to.deep.equal([]);
  });

  it('an issue awaiting the rating takes none: no form, and a posted one is refused', async () => {
    const e = await t.enterprise(31);
    const id = await issueAwaitingRating(t, e);
    const b = browser(t);
    await verifyOwner(t, b, e);
    const page = (await b.get(pageOf(e)).expect(200)).text;
    expect(page).to.not.include(`/issues/${id}/supplement`);
    const refused = await supplement(b, e, id, csrfOf(page), '再补充一点。').expect(409);
    expect(refused.text).to.include('不能再补充材料');
    expect((await staffView(id)).timeline.at(-1)!.note ?? '').to.not.include('再补充一点');
  });

  it('a bad rating that already gave its reason is not asked for the reason again; more may still be added', async () => {
    const { e, id, b, csrf } = await ownerWith(37, issueAwaitingRating);
    const rated = await b
      .post(`${pageOf(e)}/issues/${id}/rate`)
      .type('form')
      .send({ _csrf: csrf, rating: 'level', level: 'very_dissatisfied', comment: '补贴仍未到账' })
      .expect(303);
    const page = (await b.get(rated.headers.location).expect(200)).text;
    expect(page).to.include('“补贴仍未到账”');
    expect(page).to.include('您写下的原因将一并核实');
    expect(page).to.not.include('说明不满意的原因');
    expect(page).to.match(new RegExp(`<details id="supplement-${id}" >\\s*<summary>补充说明或材料`));
    await supplement(b, e, id, csrf, '附上到账查询截图。', ['到账记录.png']).expect(303);
    expect((await staffView(id)).timeline.at(-1)!.note).to.equal('附上到账查询截图。\n附件：到账记录.png');
  });

  it('a bad rating under the centre’s check takes the owner’s reasons, for the centre; once checked, none', async () => {
    const { e, id, b, csrf } = await ownerWith(36, issueAwaitingRating);
    const rated = await b
      .post(`${pageOf(e)}/issues/${id}/rate`)
      .type('form')
      .send({ _csrf: csrf, rating: 'bad' })
      .expect(303);
    const page = (await b.get(rated.headers.location).expect(200)).text;
    expect(page).to.include('如需说明不满意的原因或补充照片');
    // The form is open on the card, saying what it is for now.
    expect(page).to.match(new RegExp(`<details id="supplement-${id}" open>\\s*<summary>说明不满意的原因`));
    await supplement(b, e, id, csrf, '补贴仍未到账，答复与事实不符。', ['到账记录.png']).expect(303);
    const issue = await staffView(id);
    expect(issue.state).to.equal('awaiting_rating');
    expect(issue.timeline.at(-1)).to.include({ action: 'note', actorRole: 'enterprise', public: true });
    expect(issue.timeline.at(-1)!.note).to.equal('补贴仍未到账，答复与事实不符。\n附件：到账记录.png');
    // Who is told (the centre, not the unit): test/unit/notify/supplement-intents.test.ts.
    // Once the centre has judged the rating, the issue takes no more.
    await request(t.app)
      .post(`/api/issues/${id}/actions/verify_rating`)
      .set(await t.auth('director'))
      .send({ reasonable: false, reason: '经核实补贴已于上周到账' })
      .expect(200);
    const after = (await b.get(pageOf(e)).expect(200)).text;
    expect(after).to.not.include(`/issues/${id}/supplement`);
    await supplement(b, e, id, csrf, '再说一句。').expect(409);
  });

  it('needs the owner’s session and token, the enterprise’s own issue, and something to add', async () => {
    const { e, id, b, csrf } = await ownerWith(32);
    const count = async () => (await staffView(id)).timeline.length;
    const events = await count();
    await supplement(browser(t), e, id, csrf, '没有验证的浏览器').expect(403);
    await supplement(b, e, id, 'forged-token-forged-token-forged', '伪造的令牌').expect(403);
    const empty = await supplement(b, e, id, csrf, '   ').expect(400);
    expect(empty.text).to.include('请填写补充说明或选择文件');
    // Another enterprise's verified owner cannot add to this issue.
    const other = await t.enterprise(33);
    const b2 = browser(t);
    await verifyOwner(t, b2, other);
    const csrf2 = csrfOf((await b2.get(pageOf(other)).expect(200)).text);
    await supplement(b2, other, id, csrf2, '别家企业的补充').expect(404);
    expect(await count()).to.equal(events);
  });

  it('a form with files is refused as the new-issue form is: expired page, unreadable form, a NUL in its words', async () => {
    const { e, id, b, csrf } = await ownerWith(36);
    const count = async () => (await staffView(id)).timeline.length;
    const events = await count();
    const forged = await supplement(b, e, id, 'forged-token-forged-token-forged', '伪造', ['a.png']).expect(
      403,
    );
    expect(forged.text).to.include('页面已过期');
    const many = Array.from({ length: 21 }, (_, n) => `${n}.png`);
    const tooMany = await supplement(b, e, id, csrf, '照片太多', many).expect(413);
    expect(tooMany.text).to.include('补充材料未提交').and.include('一次最多选择20个文件');
    // The multipart words pass the check the body guard gives every parsed body.
    const nul = await supplement(b, e, id, csrf, '说明\u0000', ['a.png']).expect(400);
    expect(nul.text).to.include('补充材料未提交').and.include('请求体不能包含 NUL 字符');
    expect(await count()).to.equal(events);
    expect((await staffFiles(id)).body.items).to.deep.equal([]);
  });
});

// The verified owner on the QR page: full details of their own enterprise's issues only, 好差评 through the
// real rate action (good closes, bad goes to the centre's verification), new issues on channel `qr` for the
// session's enterprise, CSRF on every form, escaping of everything shown, and rotation ending the session.
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
  verifySession,
  type QrTestApp,
} from './qr-page.harness.ts';

describe('QR page: the verified owner', () => {
  const t: QrTestApp = useQrApp();

  it('sees content, public progress and the reply, but no internal notes or staff names', async () => {
    const e = await t.enterprise(0);
    const id = await issueAwaitingRating(t, e, { title: '用电扩容', content: '新车间需要增容到2000千伏安' });
    const handler = await handlerOf(t, id);
    await staffAction(t, handler, id, 'note', { text: '内部：供电所答复需排期', public: false });
    const b = browser(t);
    await verifyOwner(t, b, e);
    const page = await b.get(pageOf(e)).expect(200);
    expect(page.text).to.include('新车间需要增容到2000千伏安');
    expect(page.text).to.include('已协调落实补贴发放');
    expect(page.text).to.include('待您评价');
    // Progress in the enterprise's words: the centre's check of the reply is when the answer reached it.
    expect(page.text).to.include('答复企业');
    expect(page.text).to.not.include('审核通过');
    expect(page.text).to.not.include('内部：供电所');
    expect(page.text).to.not.include(handler);
    expect(page.text).to.not.include(e.mobile);
  });

  it('escapes HTML injected through an issue title and content', async () => {
    const e = await t.enterprise(1);
    await issueInProgress(t, e, {
      title: '<script>alert(1)</script>标题',
      content: '<img src=x onerror="alert(2)">内容 & "引号"',
    });
    const b = browser(t);
    await verifyOwner(t, b, e);
    const page = await b.get(pageOf(e)).expect(200);
    // The only script is the page's own live-update script, the one the CSP allows (by its hash).
    const scripts = inlineElements(page).filter((x) => x.kind === 'script');
    expect(scripts.map((x) => x.allowed)).to.deep.equal([true]);
    expect(page.text.match(/<script[^>]*>/gi)).to.deep.equal(['<script>']);
    expect(page.text).to.not.match(/<img/i);
    expect(page.text).to.include('&lt;script&gt;alert(1)&lt;/script&gt;标题');
    expect(page.text).to.include('&lt;img src=x onerror=&quot;alert(2)&quot;&gt;内容 &amp; &quot;引号&quot;');
  });

  it('rates good with one tap: the issue closes through the rate action, a repeat tap is harmless', async () => {
    const e = await t.enterprise(2);
    const id = await issueAwaitingRating(t, e);
    const b = browser(t);
    const csrf = await verifyOwner(t, b, e);
    const res = await b
      .post(`${pageOf(e)}/issues/${id}/rate`)
      .type('form')
      .send({ _csrf: csrf, rating: 'good' })
      .expect(303);
    expect(res.headers.location).to.equal(`${pageOf(e)}?msg=rated_good#issue-${id}`);
    const after = await staffIssue(t, id);
    expect(after.state).to.equal('closed');
    const rate = after.timeline.filter((ev: { action: string }) => ev.action === 'rate');
    expect(rate).to.have.length(1);
    expect(rate[0]).to.include({ actorRole: 'enterprise', fromState: 'awaiting_rating', toState: 'closed' });
    const again = await b
      .post(`${pageOf(e)}/issues/${id}/rate`)
      .type('form')
      .send({ _csrf: csrf, rating: 'bad' });
    expect(again.status).to.equal(303);
    expect(again.headers.location).to.include('msg=already_rated');
    const still = await staffIssue(t, id);
    expect(still.state).to.equal('closed');
    expect(still.timeline.filter((ev: { action: string }) => ev.action === 'rate')).to.have.length(1);
    const page = await b.get(again.headers.location).expect(200);
    expect(page.text).to.include('该问题已评价');
    expect(page.text).to.include('好评');
  });

  it('rates bad with a level and a comment: the issue goes to the centre for verification', async () => {
    const e = await t.enterprise(3);
    const id = await issueAwaitingRating(t, e);
    const b = browser(t);
    const csrf = await verifyOwner(t, b, e);
    await b
      .post(`${pageOf(e)}/issues/${id}/rate`)
      .type('form')
      .send({ _csrf: csrf, rating: 'level', level: 'very_dissatisfied', comment: '补贴仍未到账' })
      .expect(303);
    const after = await staffIssue(t, id);
    const last = after.timeline.at(-1);
    expect(last).to.include({ action: 'rate', actorRole: 'enterprise', note: '补贴仍未到账' });
    expect(last.data).to.include({ rating: 'bad', level: 'very_dissatisfied', source: 'enterprise' });
    expect(after.rating).to.include({ rating: 'bad', verification: 'pending' });
    // The owner reads back their own rating with their words.
    const page = await b.get(pageOf(e)).expect(200);
    expect(page.text).to.include('差评核实中');
    expect(page.text).to.match(
      /您的评价<\/dt>\s*<dd>差评 · 非常不满意<br \/><span class="content">“补贴仍未到账”/,
    );
    // The loop reopens when the centre finds the bad rating reasonable.
    await staffAction(t, 'dispatcher', id, 'verify_rating', { reasonable: true });
    const redo = await staffIssue(t, id);
    expect(redo.state).to.equal('in_progress');
    expect(redo.redoCount).to.equal(1);
  });

  it('a level on the wrong side of the tap comes back on the page with the comment kept, not a dead end', async () => {
    const e = await t.enterprise(4);
    const id = await issueAwaitingRating(t, e);
    const open = await issueInProgress(t, e);
    const b = browser(t);
    const csrf = await verifyOwner(t, b, e);
    // 非常满意 chosen, then the red 不满意 pressed: which one was meant is not guessed.
    const mismatch = await b
      .post(`${pageOf(e)}/issues/${id}/rate`)
      .type('form')
      .send({ _csrf: csrf, rating: 'bad', level: 'very_satisfied', comment: '回复很及时<b>' });
    expect(mismatch.status).to.equal(400);
    const card = mismatch.text.slice(mismatch.text.indexOf(`id="issue-${id}"`));
    expect(card).to.match(
      /^[^]*?<div class="error" role="alert">您选择的等级「非常满意」属于好评，与按下的「不满意」不一致，评价未提交。/,
    );
    expect(card).to.match(/<details id="rate-more-[0-9a-f]+" open>\s*<summary>详细评价/);
    expect(card).to.include('maxlength="500">回复很及时&lt;b&gt;</textarea>');
    // The page answers a POST: no live refresh that would fetch the POST's address.
    expect(mismatch.text).to.not.include('data-live');
    expect((await staffIssue(t, id)).state).to.equal('awaiting_rating');
    // The form on it works: the level as the owner meant it, with the comment.
    await b
      .post(`${pageOf(e)}/issues/${id}/rate`)
      .type('form')
      .send({ _csrf: csrf, rating: 'level', level: 'very_satisfied', comment: '回复很及时' })
      .expect(303);
    const rated = await staffIssue(t, id);
    expect(rated.state).to.equal('closed');
    expect(rated.timeline.at(-1)).to.include({ action: 'rate', note: '回复很及时' });
    // 提交详细评价 without a level: the same page, asking for one.
    const other = await issueAwaitingRating(t, e);
    const noLevel = await b
      .post(`${pageOf(e)}/issues/${other}/rate`)
      .type('form')
      .send({ _csrf: csrf, rating: 'level', comment: '还行' });
    expect(noLevel.status).to.equal(400);
    expect(noLevel.text).to.include('请选择评价等级');
    expect(noLevel.text).to.include('>还行</textarea>');
    // A level the form does not offer (a tampered form): said in Chinese, and an empty choice is no level.
    for (const [level, said] of [
      ['x', '评价等级无效'],
      ['', '请选择评价等级'],
    ]) {
      const odd = await b
        .post(`${pageOf(e)}/issues/${other}/rate`)
        .type('form')
        .send({ _csrf: csrf, rating: 'level', level });
      expect([odd.status, odd.text.includes(said), odd.text.includes('Invalid')]).to.deep.equal([
        400,
        true,
        false,
      ]);
    }
    // Too early (a tampered form): back to the page with a notice, as a repeated tap is, in the owner's words.
    const early = await b
      .post(`${pageOf(e)}/issues/${open}/rate`)
      .type('form')
      .send({ _csrf: csrf, rating: 'good' });
    expect([early.status, early.headers.location]).to.deep.equal([
      303,
      `${pageOf(e)}?msg=not_ratable#issue-${open}`,
    ]);
    expect((await b.get(early.headers.location).expect(200)).text)
      .to.include('该问题目前不在待评价阶段，暂不能评价。')
      .and.not.include('不能执行「评价」');
    expect((await staffIssue(t, other)).state).to.equal('awaiting_rating');
    expect((await staffIssue(t, open)).state).to.equal('in_progress');
  });

  it('groups the detailed levels under 好评 and 差评, not under a word that is also a level', async () => {
    const e = await t.enterprise(13);
    await issueAwaitingRating(t, e);
    const b = browser(t);
    await verifyOwner(t, b, e);
    const page = await b.get(pageOf(e)).expect(200);
    const legends = [...page.text.matchAll(/<legend>([^<]*)<\/legend>/g)].map((m) => m[1]);
    expect(legends).to.deep.equal(['好评', '差评']);
  });

  it('refuses forms without or with a wrong CSRF token (403), changing nothing', async () => {
    const e = await t.enterprise(5);
    const id = await issueAwaitingRating(t, e);
    const b = browser(t);
    await verifyOwner(t, b, e);
    await b
      .post(`${pageOf(e)}/issues/${id}/rate`)
      .type('form')
      .send({ rating: 'good' })
      .expect(403);
    await b
      .post(`${pageOf(e)}/issues/${id}/rate`)
      .type('form')
      .send({ rating: 'good', _csrf: 'forged-token-forged-token-forged' })
      .expect(403);
    await b
      .post(`${pageOf(e)}/issues`)
      .type('form')
      .send({ content: '新问题', submissionId: 'a'.repeat(24) })
      .expect(403);
    expect((await staffIssue(t, id)).state).to.equal('awaiting_rating');
  });

  it('submits a new issue on channel qr for the session enterprise only, once per form', async () => {
    const e = await t.enterprise(6);
    const other = await t.enterprise(7);
    const b = browser(t);
    const csrf = await verifyOwner(t, b, e);
    const form = await b.get(`${pageOf(e)}/new`).expect(200);
    const submissionId = /name="submissionId" value="([^"]+)"/.exec(form.text)![1];
    const body = {
      _csrf: csrf,
      submissionId,
      title: '',
      content: '园区道路限行，货车无法进入厂区',
      enterprise: String(other._id),
      enterpriseId: String(other._id),
    };
    const res = await b
      .post(`${pageOf(e)}/issues`)
      .type('form')
      .send(body)
      .expect(303);
    expect(res.headers.location).to.match(/msg=submitted&n=HZ-\d{4}-\d{6}$/);
    await b
      .post(`${pageOf(e)}/issues`)
      .type('form')
      .send(body)
      .expect(303);
    const created = await t.models.Issue.find({ content: body.content }).lean();
    expect(created).to.have.length(1);
    expect(created[0]).to.include({ channel: 'qr' });
    expect(String(created[0].enterpriseId)).to.equal(String(e._id));
    const staff = await staffIssue(t, String(created[0]._id));
    expect(staff.timeline[0]).to.include({ action: 'create', actorRole: 'enterprise' });
    const page = await b.get(res.headers.location).expect(200);
    expect(page.text).to.include(created[0].number);
    expect(page.text).to.include('园区道路限行');

    // A long text without a title: the title made from its first words is not shown above it again.
    const long =
      '我们厂区门口的道路去年开始施工，到现在还没有完工，大货车进出非常困难，每天都有订单因此延误，请尽快协调。';
    const next = await b.get(`${pageOf(e)}/new`).expect(200);
    const again = await b
      .post(`${pageOf(e)}/issues`)
      .type('form')
      .send({
        _csrf: csrf,
        submissionId: /name="submissionId" value="([^"]+)"/.exec(next.text)![1],
        content: long,
      })
      .expect(303);
    const [filed] = await t.models.Issue.find({ content: long }).lean();
    expect(filed.title).to.match(/…$/);
    const shown = await b.get(again.headers.location).expect(200);
    expect(
      shown.text.split('我们厂区门口的道路').length - 1,
      'the text once, no title repeating it',
    ).to.equal(1);
  });

  it('refuses an empty or overlong issue, keeping what was typed', async () => {
    const e = await t.enterprise(8);
    const b = browser(t);
    const csrf = await verifyOwner(t, b, e);
    const empty = await b
      .post(`${pageOf(e)}/issues`)
      .type('form')
      .send({ _csrf: csrf, submissionId: 'b'.repeat(24), title: '只有标题<b>', content: '  ' });
    expect(empty.status).to.equal(400);
    expect(empty.text).to.include('请填写问题描述');
    expect(empty.text).to.include('value="只有标题&lt;b&gt;"');
    const long = await b
      .post(`${pageOf(e)}/issues`)
      .type('form')
      .send({ _csrf: csrf, submissionId: 'c'.repeat(24), content: '长'.repeat(2001) });
    expect(long.status).to.equal(400);
    expect(long.text).to.include('不能超过2000个字');
    // A form without its submission id (stale, or built by hand) is told so in Chinese.
    const stale = await b
      .post(`${pageOf(e)}/issues`)
      .type('form')
      .send({ _csrf: csrf, content: '企业希望了解高新技术企业认定的申报流程和材料要求。' });
    expect(stale.status).to.equal(400);
    expect(stale.text).to.include('表单已失效，请重新打开').and.not.include('Invalid input');
    expect(await t.models.Issue.countDocuments({ enterpriseId: e._id })).to.equal(0);
  });

  it('a session for enterprise A can neither read nor rate enterprise B', async () => {
    const a = await t.enterprise(9);
    const bEnt = await t.enterprise(10);
    const bIssue = await issueAwaitingRating(t, bEnt, { content: '企业B的保密内容：融资担保' });
    const owner = browser(t);
    const { csrf, cookie: session } = await verifySession(t, owner, a);
    // A's cookie replayed on B's page: B's summary only.
    const page = await request(t.app).get(pageOf(bEnt)).set('Cookie', session).expect(200);
    expect(page.text).to.not.include('企业B的保密内容');
    expect(page.text).to.include('企业负责人验证');
    await request(t.app)
      .post(`${pageOf(bEnt)}/issues/${bIssue}/rate`)
      .set('Cookie', session)
      .type('form')
      .send({ _csrf: csrf, rating: 'bad' })
      .expect(403);
    // B's issue through A's own page: not found.
    await owner
      .post(`${pageOf(a)}/issues/${bIssue}/rate`)
      .type('form')
      .send({ _csrf: csrf, rating: 'bad' })
      .expect(404);
    // Not an issue id as the page's links carry it (24 hex digits), even one mongoose would take: not found.
    for (const id of ['aaaaaaaaaaaa', 'x'.repeat(24)])
      await owner
        .post(`${pageOf(a)}/issues/${id}/rate`)
        .type('form')
        .send({ _csrf: csrf, rating: 'bad' })
        .expect(404);
    expect((await staffIssue(t, bIssue)).state).to.equal('awaiting_rating');
  });

  it('ends the session on logout and when the code is rotated', async () => {
    const e = await t.enterprise(11);
    const b = browser(t);
    const csrf = await verifyOwner(t, b, e);
    await b
      .post(`${pageOf(e)}/logout`)
      .type('form')
      .send({ _csrf: csrf })
      .expect(303);
    expect((await b.get(pageOf(e)).expect(200)).text).to.include('企业负责人验证');
    const { cookie: session } = await verifySession(t, b, e);
    await request(t.app)
      .post(`/api/enterprises/${String(e._id)}/qr/rotate`)
      .set(await t.auth('clerk'))
      .expect(200);
    const rotated = await t.enterprise(11);
    const page = await request(t.app).get(pageOf(rotated)).set('Cookie', session).expect(200);
    expect(page.text).to.include('企业负责人验证');
    expect(page.text).to.not.include('反映新问题');
  });

  it('ends the session when staff register another mobile, and not when they save it unchanged', async () => {
    const e = await t.enterprise(12);
    const b = browser(t);
    await verifyOwner(t, b, e);
    const clerk = await t.auth('clerk');
    await request(t.app)
      .patch(`/api/enterprises/${String(e._id)}`)
      .set(clerk)
      .send({ mobile: e.mobile, address: '湖州市吴兴区织里镇' })
      .expect(200);
    expect((await b.get(pageOf(e)).expect(200)).text).to.include('反映新问题');
    await request(t.app)
      .patch(`/api/enterprises/${String(e._id)}`)
      .set(clerk)
      .send({ mobile: '13700009999' })
      .expect(200);
    const page = (await b.get(pageOf(e)).expect(200)).text;
    expect(page).to.include('企业负责人验证');
    expect(page).to.not.include('反映新问题');
  });

  it('chooses how the enterprise hears from the centre: kept on the enterprise, shown again, refused without an address', async () => {
    const e = await t.enterprise(13);
    const b = browser(t);
    const csrf = await verifyOwner(t, b, e);
    const checked = (text: string) => text.match(/value="(\w+)"\s+checked/)?.[1];
    await t.models.Enterprise.updateOne({ _id: e._id }, { $set: { email: 'office@huzhou-pref.cn' } });
    const first = (await b.get(`${pageOf(e)}/preference`).expect(200)).text;
    expect(checked(first)).to.equal('sms');
    // The registered email is offered, not typed again.
    expect(first).to.include('value="office@huzhou-pref.cn"');
    const refused = await b
      .post(`${pageOf(e)}/preference`)
      .type('form')
      .send({ _csrf: csrf, channel: 'email', email: '' })
      .expect(400);
    expect(refused.text).to.include('选择电子邮件时请填写电子邮箱');
    expect(checked(refused.text)).to.equal('email');
    const saved = await b
      .post(`${pageOf(e)}/preference`)
      .type('form')
      .send({ _csrf: csrf, channel: 'email', email: 'boss@huzhou-pref.cn' })
      .expect(303);
    expect(saved.headers.location).to.equal(`${pageOf(e)}?msg=preference_saved`);
    const stored = await t.models.Enterprise.findById(e._id, { notify: 1 }).lean();
    expect(stored?.notify).to.deep.equal({
      channel: 'email',
      email: 'boss@huzhou-pref.cn',
      updatedAt: t.clock.now(),
    });
    const again = (await b.get(`${pageOf(e)}/preference`).expect(200)).text;
    expect(checked(again)).to.equal('email');
    expect(again).to.include('value="boss@huzhou-pref.cn"');
    // The centre sees the choice where it sees the addresses; a leader, who reads the directory, neither.
    const staff = async (user: string) =>
      (
        await request(t.app)
          .get(`/api/enterprises/${String(e._id)}`)
          .set(await t.auth(user))
          .expect(200)
      ).body;
    expect((await staff('clerk')).notify).to.deep.equal({ channel: 'email', email: 'boss@huzhou-pref.cn' });
    expect(await staff('leader')).not.to.have.property('notify');
    // Only the verified owner: another browser is sent to verify, and its form is refused.
    const stranger = browser(t);
    const away = await stranger.get(`${pageOf(e)}/preference`).expect(303);
    expect(away.headers.location).to.equal(`${pageOf(e)}/verify`);
    await stranger
      .post(`${pageOf(e)}/preference`)
      .type('form')
      .send({ _csrf: csrf, channel: 'sms' })
      .expect(403);
    expect((await t.models.Enterprise.findById(e._id, { notify: 1 }).lean())?.notify?.channel).to.equal(
      'email',
    );
  });
});

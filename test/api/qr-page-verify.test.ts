// Owner verification on the QR page: a one-time code by SMS (six digits, five minutes, single use, stored
// hashed, dead after five wrong tries) or the enterprise PIN, rate-limited (code sends per enterprise, failed
// PINs per printed token, both per IP), ending in a short session cookie scoped to that one enterprise.
import { expect } from 'chai';
import request from 'supertest';
import {
  anotherQrApp,
  browser,
  csrfOf,
  pageOf,
  requestCode,
  submitCode,
  useQrApp,
  verifyOwner,
  type QrTestApp,
} from './qr-page.harness.ts';
import { MAX_PIN_FAILURES } from '../../server/routes/public/owner-verification.commands.ts';

const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('QR page: verification by SMS code', () => {
  const t: QrTestApp = useQrApp();

  it('sends a six-digit code to the registered mobile, shows only the masked number, stores only a hash', async () => {
    const e = await t.enterprise(0);
    const b = browser(t);
    const csrf = await requestCode(t, b, e);
    expect(csrf).to.be.a('string');
    const sms = t.sms.sent.at(-1)!;
    expect(sms.mobile).to.equal(e.mobile);
    const code = t.sms.lastCode();
    expect(code).to.match(/^\d{6}$/);
    const page = await b.get(`${pageOf(e)}/verify?sent=1`).expect(200);
    expect(page.text).to.include(`${e.mobile.slice(0, 3)}****${e.mobile.slice(-4)}`);
    expect(page.text).to.not.include(e.mobile);
    expect(page.text).to.not.include(code);
    const stored = await t.models.VerificationCode.findOne({ enterpriseId: e._id }).lean();
    expect(stored!.codeHash).to.not.include(code);
    expect(JSON.stringify(stored)).to.not.include(`"${code}"`);
  });

  it('refuses a wrong code with the tries left, and sets no session', async () => {
    const e = await t.enterprise(1);
    const b = browser(t);
    const csrf = await requestCode(t, b, e);
    const res = await submitCode(b, e, csrf, wrongCode(t.sms.lastCode())).expect(400);
    expect(res.text).to.include('验证码不正确，还可尝试 4 次');
    expect(res.headers['set-cookie'] ?? []).to.not.satisfy((c: string[]) =>
      c.some((x) => x.startsWith('eq_owner=')),
    );
    const owner = await b.get(pageOf(e)).expect(200);
    expect(owner.text).to.include('企业负责人验证');
  });

  it('refuses an expired code (after five minutes on the clock)', async () => {
    const e = await t.enterprise(2);
    const b = browser(t);
    const csrf = await requestCode(t, b, e);
    t.clock.advance(5 * 60_000 + 1000);
    const res = await submitCode(b, e, csrf, t.sms.lastCode()).expect(400);
    expect(res.text).to.include('验证码已过期');
  });

  it('kills the code after five wrong tries: the right one no longer works', async () => {
    const e = await t.enterprise(3);
    const b = browser(t);
    const csrf = await requestCode(t, b, e);
    const code = t.sms.lastCode();
    for (let i = 1; i <= 4; i += 1) {
      const res = await submitCode(b, e, csrf, wrongCode(code)).expect(400);
      expect(res.text).to.include(`还可尝试 ${5 - i} 次`);
    }
    const fifth = await submitCode(b, e, csrf, wrongCode(code)).expect(400);
    expect(fifth.text).to.include('已失效');
    const right = await submitCode(b, e, csrf, code).expect(400);
    expect(right.text).to.include('已失效');
    // A new code (a minute later) works again.
    t.clock.advance(61_000);
    await b
      .post(`${pageOf(e)}/code`)
      .type('form')
      .send({ _csrf: csrf })
      .expect(303);
    await submitCode(b, e, csrf, t.sms.lastCode()).expect(303);
  });

  it('spaces codes for one enterprise a minute apart', async () => {
    const e = await t.enterprise(4);
    const b = browser(t);
    const csrf = await requestCode(t, b, e);
    const again = await b
      .post(`${pageOf(e)}/code`)
      .type('form')
      .send({ _csrf: csrf })
      .expect(429);
    expect(again.text).to.include('1分钟后再试');
  });

  it('opens a session on the right code: HttpOnly, SameSite=Lax cookie on this page only, details shown', async () => {
    const e = await t.enterprise(5);
    const b = browser(t);
    const csrf = await requestCode(t, b, e);
    const code = t.sms.lastCode();
    const res = await submitCode(b, e, csrf, code).expect(303);
    expect(res.headers.location).to.equal(`${pageOf(e)}?msg=verified`);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('eq_owner='))!;
    expect(cookie).to.match(/HttpOnly/i);
    expect(cookie).to.match(/SameSite=Lax/i);
    expect(cookie).to.include(`Path=${pageOf(e)}`);
    expect(cookie).to.match(/Max-Age=1800/);
    expect(cookie).to.not.match(/Secure/i);
    const page = await b.get(res.headers.location).expect(200);
    expect(page.text).to.include('验证成功');
    expect(page.text).to.include(e.name);
    expect(page.text).to.include('反映新问题');
    expect(page.headers['cache-control']).to.equal('no-store');
    // Single use: the same code cannot open a second session.
    const other = browser(t);
    const otherCsrf = csrfOf((await other.get(`${pageOf(e)}/verify`).expect(200)).text);
    await submitCode(other, e, otherCsrf, code).expect(400);
  });

  it('ignores X-Forwarded-Proto from an untrusted client (no Secure on plain http)', async () => {
    const e = await t.enterprise(6);
    const b = browser(t);
    const csrf = await requestCode(t, b, e);
    // Not trusted: without TRUST_PROXY the forwarded protocol is ignored, so this stays plain http.
    const res = await submitCode(b, e, csrf, t.sms.lastCode()).set('X-Forwarded-Proto', 'https').expect(303);
    expect(String(res.headers['set-cookie'])).to.not.match(/Secure/);
  });

  it('expires the session after 30 minutes', async () => {
    const e = await t.enterprise(7);
    const b = browser(t);
    await verifyOwner(t, b, e);
    t.clock.advance(31 * 60_000);
    const page = await b.get(pageOf(e)).expect(200);
    expect(page.text).to.include('企业负责人验证');
    expect(page.text).to.not.include('反映新问题');
    // A form sent after it lapsed says so, and leads straight to verifying again.
    const late = await b
      .post(`${pageOf(e)}/issues`)
      .type('form')
      .send({ title: '路灯不亮', content: '园区路灯' });
    expect(late.status).to.equal(403);
    expect(late.text)
      .to.include('请先验证身份')
      .and.include(`href="${pageOf(e)}/verify">重新验证</a>`);
    // What the owner typed comes back to copy, from the form as the page sends it (multipart, files unread).
    expect(late.text).to.match(/<textarea id="typed" readonly rows="8">路灯不亮\n园区路灯<\/textarea>/);
    const multipart = await b
      .post(`${pageOf(e)}/issues`)
      .field('_csrf', 'the-lapsed-session-token-0000000')
      .field('content', '厂区东侧路灯连续一周不亮，夜班工人出行不安全。')
      .attach('files', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'a.png')
      .expect(403);
    expect(multipart.text).to.include('厂区东侧路灯连续一周不亮，夜班工人出行不安全。');
    expect(multipart.text).to.include('如已选择照片或文件，提交时请重新选择。');
    // A rating's comment and a 补充材料 come back the same way.
    const id = '0123456789abcdef01234567';
    const rating = await b
      .post(`${pageOf(e)}/issues/${id}/rate`)
      .type('form')
      .send({ _csrf: 'x', rating: 'bad', comment: '补贴仍未到账，答复与实际不符。' })
      .expect(403);
    expect(rating.text).to.include('评价尚未提交').and.include('补贴仍未到账，答复与实际不符。');
    const supplement = await b
      .post(`${pageOf(e)}/issues/${id}/supplement`)
      .field('_csrf', 'x')
      .field('text', '营业执照副本见附件。')
      .expect(403);
    expect(supplement.text).to.include('补充材料尚未提交').and.include('营业执照副本见附件。');
    // Any other browser (another site's form included: the owner's cookie is SameSite=Strict) gets no words back.
    const stranger = await request(t.app)
      .post(`${pageOf(e)}/issues`)
      .type('form')
      .send({ content: '您的企业码已失效，请拨打400热线' })
      .expect(403);
    expect(stranger.text).to.include('请先验证身份').and.not.include('400热线');
    // Nor a form from another page of the same site (a sibling host), though it carries the owner's cookie.
    const sibling = await b
      .post(`${pageOf(e)}/issues`)
      .set('Sec-Fetch-Site', 'same-site')
      .type('form')
      .send({ content: '您的企业码已失效，请拨打400热线' })
      .expect(403);
    expect(sibling.text).to.include('请先验证身份').and.not.include('400热线');
    expect(await t.models.Issue.countDocuments({ enterpriseId: e._id })).to.equal(0);
  });

  it('refuses verification forms without the CSRF token', async () => {
    const e = await t.enterprise(8);
    await request(t.app)
      .post(`${pageOf(e)}/code`)
      .type('form')
      .send({})
      .expect(403);
    const b = browser(t);
    await b.get(`${pageOf(e)}/verify`).expect(200);
    await b
      .post(`${pageOf(e)}/code`)
      .type('form')
      .send({ _csrf: 'x'.repeat(32) })
      .expect(403);
    await b
      .post(`${pageOf(e)}/verify-code`)
      .type('form')
      .send({ code: '123456' })
      .expect(403);
    expect(t.sms.sent.filter((m) => m.mobile === e.mobile)).to.have.length(0);
  });
});

describe('QR page: verification by PIN', () => {
  const t: QrTestApp = useQrApp();

  it('says when no PIN is set, refuses a wrong PIN, opens a session on the right one', async () => {
    const e = await t.enterprise(0);
    const b = browser(t);
    const csrf = csrfOf((await b.get(`${pageOf(e)}/verify`).expect(200)).text);
    const none = await b
      .post(`${pageOf(e)}/verify-pin`)
      .type('form')
      .send({ _csrf: csrf, pin: '246810' });
    expect(none.status).to.equal(400);
    expect(none.text).to.include('尚未设置 PIN');
    await request(t.app)
      .put(`/api/enterprises/${String(e._id)}/pin`)
      .set(await t.auth('clerk'))
      .send({ pin: '246810' })
      .expect(200);
    const wrong = await b
      .post(`${pageOf(e)}/verify-pin`)
      .type('form')
      .send({ _csrf: csrf, pin: '135790' });
    expect(wrong.status).to.equal(400);
    expect(wrong.text).to.include('PIN 不正确，还可尝试 9 次。');
    await b
      .post(`${pageOf(e)}/verify-pin`)
      .type('form')
      .send({ _csrf: csrf, pin: '246810' })
      .expect(303);
    const page = await b.get(pageOf(e)).expect(200);
    expect(page.text).to.include(e.name);
    expect(page.text).to.include('退出验证');
  });
});

describe('QR page: PIN lockout after consecutive failures', function () {
  this.timeout(90_000); // 14 PIN derivations at the real cost, one KDF thread: slow on a loaded host
  const t: QrTestApp = useQrApp();

  /**
   * One guess from a fresh browser. A 503 busy (the KDF queue's wait bound, reached when a loaded host runs
   * the 14 parallel derivations slowly) checked nothing, so the guesser tries again, as a person would.
   */
  async function tryPin(
    e: Awaited<ReturnType<QrTestApp['enterprise']>>,
    pin: string,
  ): Promise<request.Response> {
    const b = browser(t);
    const csrf = csrfOf((await b.get(`${pageOf(e)}/verify`).expect(200)).text);
    const res = await b
      .post(`${pageOf(e)}/verify-pin`)
      .type('form')
      .send({ _csrf: csrf, pin });
    if (res.status !== 503) return res;
    await new Promise((r) => setTimeout(r, 200));
    return tryPin(e, pin);
  }

  async function setPin(e: Awaited<ReturnType<QrTestApp['enterprise']>>, pin: string) {
    await request(t.app)
      .put(`/api/enterprises/${String(e._id)}/pin`)
      .set(await t.auth('clerk'))
      .send({ pin })
      .expect(200);
  }

  it(`locks the PIN after ${MAX_PIN_FAILURES} wrong ones, even guessed in parallel, until staff set a new one`, async () => {
    const e = await t.enterprise(0);
    await setPin(e, '246810');
    const guesses = Array.from({ length: MAX_PIN_FAILURES + 4 }, (_, i) => String(100000 + i));
    const answers = await Promise.all(guesses.map((pin) => tryPin(e, pin)));
    expect(answers.filter((r) => r.status === 400 && r.text.includes('PIN 不正确'))).to.have.length(
      MAX_PIN_FAILURES,
    );
    expect(answers.filter((r) => r.status === 403 && r.text.includes('已锁定'))).to.have.length(4);
    // Each counted wrong entry says how many remain; the one that locks it says so.
    const left = answers.map((r) => /还可尝试 (\d+) 次/.exec(r.text)?.[1]).filter(Boolean);
    expect(left.map(Number).sort((a, b) => a - b)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(answers.filter((r) => r.status === 400 && r.text.includes('已锁定'))).to.have.length(1);
    const right = await tryPin(e, '246810');
    expect(right.status).to.equal(403);
    expect(right.text).to.include('已锁定');
    await setPin(e, '135790');
    expect((await tryPin(e, '135790')).status).to.equal(303);
  });

  it('counts consecutive failures only: the right PIN starts the count again', async () => {
    const e = await t.enterprise(1);
    await setPin(e, '246810');
    for (let i = 1; i < MAX_PIN_FAILURES; i += 1) expect((await tryPin(e, '000000')).status).to.equal(400);
    expect((await tryPin(e, '246810')).status).to.equal(303);
    for (let i = 1; i < MAX_PIN_FAILURES; i += 1) expect((await tryPin(e, '000000')).status).to.equal(400);
    expect((await tryPin(e, '246810')).status).to.equal(303);
  });
});

describe('QR page: verification rate limits', () => {
  const t: QrTestApp = useQrApp({
    env: { TRUST_PROXY: '1' },
    limits: { verifyPerToken: 3, verifyPerIp: 5, sendPerEnterpriseHour: 2, sendPerIp: 100 },
  });

  async function failPin(ip: string, e: Awaited<ReturnType<QrTestApp['enterprise']>>) {
    const b = browser(t);
    const csrf = csrfOf(
      (
        await b
          .get(`${pageOf(e)}/verify`)
          .set('X-Forwarded-For', ip)
          .expect(200)
      ).text,
    );
    return b
      .post(`${pageOf(e)}/verify-pin`)
      .set('X-Forwarded-For', ip)
      .type('form')
      .send({ _csrf: csrf, pin: '000000' });
  }

  it('limits failed verifications per printed token, whatever the IP', async () => {
    const e = await t.enterprise(0);
    for (let i = 1; i <= 3; i += 1) expect((await failPin(`10.0.0.${i}`, e)).status).to.equal(400);
    const limited = await failPin('10.0.0.9', e);
    expect(limited.status).to.equal(429);
    expect(limited.text).to.include('操作过于频繁');
    expect(limited.headers['retry-after']).to.be.a('string');
  });

  it('tells the owner on a new phone that strangers locked the PIN, not 操作过于频繁', async () => {
    const e = await t.enterprise(8);
    await request(t.app)
      .put(`/api/enterprises/${String(e._id)}/pin`)
      .set(await t.auth('clerk'))
      .send({ pin: '246810' })
      .expect(200);
    // Strangers ran into the per-token limit, and their wrong PINs locked it.
    for (let i = 1; i <= 3; i += 1) expect((await failPin(`10.3.0.${i}`, e)).status).to.equal(400);
    await t.models.Enterprise.updateOne({ _id: e._id }, { $set: { pinFailures: MAX_PIN_FAILURES } });

    const owner = browser(t);
    const verify = await owner
      .get(`${pageOf(e)}/verify`)
      .set('X-Forwarded-For', '10.3.1.1')
      .expect(200);
    expect(verify.text).to.include('PIN 错误次数过多，已锁定。请使用短信验证码验证');
    expect(verify.text).to.not.include('/verify-pin"');
    expect(verify.text).to.include('/verify-code"');
    const right = await owner
      .post(`${pageOf(e)}/verify-pin`)
      .set('X-Forwarded-For', '10.3.1.1')
      .type('form')
      .send({ _csrf: csrfOf(verify.text), pin: '246810' });
    expect(right.status).to.equal(403);
    expect(right.text).to.include('已锁定').and.not.include('操作过于频繁');
  });

  it('limits failed verifications per IP, across tokens', async () => {
    const ip = '10.1.0.1';
    for (let i = 1; i <= 5; i += 1) expect((await failPin(ip, await t.enterprise(i))).status).to.equal(400);
    expect((await failPin(ip, await t.enterprise(6))).status).to.equal(429);
    // Another IP on a fresh token is unaffected.
    expect((await failPin('10.1.0.2', await t.enterprise(7))).status).to.equal(400);
  });

  it('marks the session cookie Secure behind a trusted https proxy', async () => {
    const e = await t.enterprise(9);
    const b = browser(t);
    const csrf = csrfOf((await b.get(`${pageOf(e)}/verify`).expect(200)).text);
    await b
      .post(`${pageOf(e)}/code`)
      .type('form')
      .send({ _csrf: csrf })
      .expect(303);
    const res = await submitCode(b, e, csrf, t.sms.lastCode()).set('X-Forwarded-Proto', 'https').expect(303);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('eq_owner='))!;
    expect(cookie).to.match(/; Secure/i);
  });

  it('marks every cookie Secure when the public address is https, though TLS ends at an untrusted proxy', async () => {
    // PUBLIC_BASE_URL https, no TRUST_PROXY: the request arrives as plain http.
    const app = anotherQrApp(t, { env: { PUBLIC_BASE_URL: 'https://qy.example.test' } });
    const e = await t.enterprise(10);
    const setCookies = (res: request.Response) => res.headers['set-cookie'] as unknown as string[];
    const page = await request(app)
      .get(`${pageOf(e)}/verify`)
      .expect(200);
    const csrf = csrfOf(page.text);
    // An http client would not send Secure cookies back: sent by hand here.
    const cookie = setCookies(page)
      .map((c) => c.split(';')[0])
      .join('; ');
    await request(app)
      .post(`${pageOf(e)}/code`)
      .set('Cookie', cookie)
      .type('form')
      .send({ _csrf: csrf })
      .expect(303);
    const verified = await request(app)
      .post(`${pageOf(e)}/verify-code`)
      .set('Cookie', cookie)
      .type('form')
      .send({ _csrf: csrf, code: t.sms.lastCode() })
      .expect(303);
    const set = [...setCookies(page), ...setCookies(verified)];
    expect(set.map((c) => c.split('=')[0])).to.include.members(['eq_owner', 'eq_known']);
    for (const c of set) expect(c).to.match(/; Secure/i);
  });

  it('limits code sends per enterprise from browsers not known as the owner’s', async () => {
    const e = await t.enterprise(8);
    const b = browser(t);
    const csrf = csrfOf((await b.get(`${pageOf(e)}/verify`).expect(200)).text);
    await b
      .post(`${pageOf(e)}/code`)
      .type('form')
      .send({ _csrf: csrf })
      .expect(303);
    t.clock.advance(61_000);
    await b
      .post(`${pageOf(e)}/code`)
      .type('form')
      .send({ _csrf: csrf })
      .expect(303);
    t.clock.advance(61_000);
    await b
      .post(`${pageOf(e)}/code`)
      .type('form')
      .send({ _csrf: csrf })
      .expect(429);
  });
});

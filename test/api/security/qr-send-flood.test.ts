// Security review (medium): whoever holds the printed code could have an SMS code sent to the owner's mobile
// ten times every 15 minutes, indefinitely (each request with a fresh page, so fresh cookies), and while they
// did the owner got 429 on 发送验证码 from anywhere. Now the limits fall on strangers: browsers not known as
// the owner's share 3 sends an hour and 6 a day per enterprise (and 5 per address per 15 minutes), the centre
// hears once when the day's sends are used up, and the browser the owner verified in before keeps its own
// allowance, also for the PIN after strangers locked it. A new PIN or a rotated code forgets that browser.
// The production limits are used (no overrides), over two app processes sharing the database.
import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { anotherApp } from '../helpers.ts';
import { useIssueApp, type IssueTestApp } from '../issues/fixtures.ts';
import { FakeSms, silent } from '../notify/notify-harness.ts';
import { createNotifyService, type NotifyService } from '../../../server/notify/notify-service.ts';
import type { EnterpriseDoc, OutboxDoc } from '../../../server/models/index.ts';

interface FloodTestApp extends IssueTestApp {
  notify: NotifyService;
  sms: FakeSms;
  /** A second app process over the same database. */
  other: Express;
}

const HOUR = 3600_000;
const MINUTE = 60_000;

function useFloodApp(): FloodTestApp {
  const sms = new FakeSms();
  let notify: NotifyService | undefined;
  const t = useIssueApp({
    // Phones browse over plain http here: at an https address the page's cookies are Secure, not sent back.
    env: { TRUST_PROXY: '1', PUBLIC_BASE_URL: 'http://qy.example.test' },
    deps: ({ models, clock, config }) => {
      notify = createNotifyService({ config, models, clock, logger: silent, sms, ttlMs: 0 });
      // Rate-limit windows and sessions on the suite's clock, so hours and days can pass.
      return { notify, authClock: clock };
    },
  }) as FloodTestApp;
  before(() => {
    t.notify = notify!;
    t.sms = sms;
    t.other = anotherApp(t, { notify, authClock: t.clock });
  });
  return t;
}

const pageOf = (e: Pick<EnterpriseDoc, 'qrToken'>) => `/e/${e.qrToken}`;
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];

/** A phone's browser (its own cookies) behind a client address (`ip`, which may change), on one app process. */
function phone(app: Express, ip: string) {
  const agent = request.agent(app);
  return {
    ip,
    async open(e: EnterpriseDoc) {
      const page = await agent
        .get(`${pageOf(e)}/verify`)
        .set('X-Forwarded-For', this.ip)
        .expect(200);
      return csrfOf(page.text);
    },
    async askCode(e: EnterpriseDoc) {
      const csrf = await this.open(e);
      return agent
        .post(`${pageOf(e)}/code`)
        .set('X-Forwarded-For', this.ip)
        .type('form')
        .send({ _csrf: csrf });
    },
    async enterCode(e: EnterpriseDoc, code: string) {
      const csrf = await this.open(e);
      return agent
        .post(`${pageOf(e)}/verify-code`)
        .set('X-Forwarded-For', this.ip)
        .type('form')
        .send({ _csrf: csrf, code });
    },
    async enterPin(e: EnterpriseDoc, pin: string) {
      const csrf = await this.open(e);
      return agent
        .post(`${pageOf(e)}/verify-pin`)
        .set('X-Forwarded-For', this.ip)
        .type('form')
        .send({ _csrf: csrf, pin });
    },
    async isVerified(e: EnterpriseDoc) {
      return (await agent.get(pageOf(e)).set('X-Forwarded-For', this.ip).expect(200)).text.includes(
        '退出验证',
      );
    },
  };
}

describe('qr page: a flood of code requests from strangers (security review, medium)', function () {
  this.timeout(60_000);
  const t = useFloodApp();

  const fresh = async (nth: number) =>
    (await t.models.Enterprise.findById(t.data.enterprises[nth]._id).lean<EnterpriseDoc>())!;
  const codesTo = (e: EnterpriseDoc) =>
    t.sms.sent.filter((m) => m.to === e.mobile && /验证码为\d{6}/.test(m.text));
  const lastCode = (e: EnterpriseDoc) => /验证码为(\d{6})/.exec(codesTo(e).at(-1)!.text)![1];

  /** `n` requests from fresh browsers (a new page, so new cookies, each time), alternating the two processes. */
  async function strangers(e: EnterpriseDoc, ip: string, n: number) {
    const answers: request.Response[] = [];
    for (let i = 0; i < n; i += 1) answers.push(await phone(i % 2 ? t.other : t.app, ip).askCode(e));
    return answers;
  }

  /** The owner's phone, verified by SMS code (its browser is then known as the owner's). */
  async function ownerVerified(e: EnterpriseDoc, ip: string) {
    const owner = phone(t.app, ip);
    expect((await owner.askCode(e)).status).to.equal(303);
    expect((await owner.enterCode(e, lastCode(e))).status).to.equal(303);
    return owner;
  }

  async function setPin(e: EnterpriseDoc, pin: string) {
    await request(t.app)
      .put(`/api/enterprises/${String(e._id)}/pin`)
      .set(await t.auth('clerk'))
      .send({ pin })
      .expect(200);
  }

  async function centreNotices(e: EnterpriseDoc): Promise<OutboxDoc[]> {
    await t.notify.notifier.idle();
    return t.models.Outbox.find({ event: 'qr_codes_paused', text: { $regex: e.name } }).lean<OutboxDoc[]>();
  }

  it('strangers get 3 codes an hour and 6 a day, the centre is told once, the owner still gets in', async () => {
    const e = await fresh(40);
    // The owner verified on their phone yesterday.
    const owner = await ownerVerified(e, '198.51.100.7');
    t.clock.advance(25 * HOUR);
    const before = codesTo(e).length;

    // Five requests from each of two addresses, over two processes: three codes go out, then codes pause.
    const first = [...(await strangers(e, '203.0.113.1', 5)), ...(await strangers(e, '203.0.113.2', 5))];
    expect(first.map((r) => r.status)).to.deep.equal([303, 303, 303, 429, 429, 429, 429, 429, 429, 429]);
    expect(codesTo(e).length - before).to.equal(3);
    const refused = first[3];
    expect(refused.text).to.include('已暂停发送');
    expect(refused.text).to.include('PIN');
    expect(refused.text).to.include('企业服务中心');
    // The page still works without JavaScript: the PIN form is right there.
    expect(refused.text).to.include(`action="${pageOf(e)}/verify-pin"`);
    expect(Number(refused.headers['retry-after'])).to.be.within(1, 3600);

    // The owner, even behind a flooding address (the factory's Wi-Fi), gets a code and verifies.
    owner.ip = '203.0.113.1';
    expect((await owner.askCode(e)).status).to.equal(303);
    expect((await owner.enterCode(e, lastCode(e))).status).to.equal(303);
    expect(await owner.isVerified(e)).to.equal(true);
    expect(await centreNotices(e)).to.have.length(0);

    // The next hour: three more (six today); the sixth tells the centre. Then codes pause for the day.
    t.clock.advance(HOUR + MINUTE);
    const second = [...(await strangers(e, '203.0.113.1', 5)), ...(await strangers(e, '203.0.113.2', 5))];
    expect(second.map((r) => r.status)).to.deep.equal([303, 303, 303, 429, 429, 429, 429, 429, 429, 429]);
    expect(second[3].text).to.include('今日验证码发送次数已达上限');
    expect(second[3].text).to.include('企业 PIN');
    t.clock.advance(2 * HOUR);
    const third = await strangers(e, '203.0.113.3', 3);
    expect(third.map((r) => r.status)).to.deep.equal([429, 429, 429]);
    expect(third[0].text).to.include('今日验证码发送次数已达上限');
    expect(codesTo(e).length - before).to.equal(1 + 6);

    // One notice for the centre (each of its members, in the app), however many were refused.
    const notices = await centreNotices(e);
    expect(notices.map((n) => n.channel)).to.deep.equal(['inapp', 'inapp', 'inapp']);
    expect(new Set(notices.map((n) => n.recipient.id)).size).to.equal(3);
    expect(notices[0].text).to.include(e.name);
    expect(notices[0].text).to.include('暂停');
    const users = await t.models.User.find({ _id: { $in: notices.map((n) => n.recipient.id) } }).lean();
    expect(users.map((u) => u.role).sort()).to.deep.equal(['clerk', 'director', 'dispatcher']);

    // The owner's known browser still gets a code while strangers are paused.
    t.clock.advance(31 * MINUTE);
    expect(await owner.isVerified(e)).to.equal(false);
    expect((await owner.askCode(e)).status).to.equal(303);
    expect((await owner.enterCode(e, lastCode(e))).status).to.equal(303);
    expect(await owner.isVerified(e)).to.equal(true);

    // A new day: strangers' codes resume.
    t.clock.advance(24 * HOUR);
    expect((await phone(t.app, '203.0.113.9').askCode(e)).status).to.equal(303);
    expect(await centreNotices(e)).to.have.length(3);
  });

  it('the owner’s browser keeps its own daily limit', async () => {
    const e = await fresh(41);
    const owner = await ownerVerified(e, '198.51.100.8');
    t.clock.advance(31 * MINUTE); // the session is over; the browser is still the owner's
    const statuses: number[] = [];
    for (let i = 0; i < 11; i += 1) {
      statuses.push((await owner.askCode(e)).status);
      t.clock.advance(61_000);
    }
    expect(statuses).to.deep.equal([...Array<number>(10).fill(303), 429]);
    expect((await owner.askCode(e)).text).to.include('本浏览器今日获取验证码次数已达上限');
  });

  it('after strangers lock the PIN and use up the codes, the owner’s browser still verifies by PIN', async () => {
    const e = await fresh(42);
    await setPin(e, '246810');
    const owner = phone(t.app, '198.51.100.9');
    expect((await owner.enterPin(e, '246810')).status).to.equal(303);
    // Strangers: ten wrong PINs lock the PIN path (and the printed code's failure limit); codes used up.
    for (let i = 0; i < 12; i += 1) await phone(t.app, `203.0.114.${i}`).enterPin(e, String(100000 + i));
    const locked = await phone(t.app, '203.0.114.99').enterPin(e, '246810');
    expect([403, 429]).to.include(locked.status);
    await strangers(e, '203.0.114.50', 4);
    expect((await phone(t.app, '203.0.114.51').askCode(e)).status).to.equal(429);

    t.clock.advance(31 * MINUTE); // the session is over; the browser is still the owner's
    expect(await owner.isVerified(e)).to.equal(false);
    expect((await owner.enterPin(e, '135799')).status).to.equal(400); // a typo: PIN 不正确
    expect((await owner.enterPin(e, '246810')).status).to.equal(303);
    expect(await owner.isVerified(e)).to.equal(true);

    // Its own limit: ten failed PINs a day (the typo above among them), then even the right one is refused
    // until tomorrow: a copied cookie is no licence to guess on.
    t.clock.advance(31 * MINUTE);
    const wrong: number[] = [];
    for (let i = 0; i < 10; i += 1) wrong.push((await owner.enterPin(e, String(200000 + i))).status);
    const cutOff = wrong.indexOf(429);
    expect(cutOff).to.be.within(1, 9);
    expect(wrong.slice(0, cutOff).every((s) => s === 400)).to.equal(true);
    expect(wrong.slice(cutOff).every((s) => s === 429)).to.equal(true);
    expect((await owner.enterPin(e, '246810')).status).to.equal(429);
  });

  it('a new PIN, or a rotated code, forgets the owner’s browsers', async () => {
    const e = await fresh(43);
    await setPin(e, '246810');
    const owner = phone(t.app, '198.51.100.10');
    expect((await owner.enterPin(e, '246810')).status).to.equal(303);
    t.clock.advance(31 * MINUTE);
    await strangers(e, '203.0.115.1', 4); // this hour's codes are used up
    expect((await owner.askCode(e)).status).to.equal(303);
    expect((await owner.enterCode(e, lastCode(e))).status).to.equal(303);

    // Staff set a new PIN: the session ends and the browser is a stranger's again.
    await setPin(e, '135790');
    expect(await owner.isVerified(e)).to.equal(false);
    t.clock.advance(61_000);
    await strangers(e, '203.0.115.2', 4);
    const afterPin = await owner.askCode(e);
    expect(afterPin.status).to.equal(429);
    expect(afterPin.text).to.include('已暂停发送');

    // Verified again with the new PIN, the browser is known again, until the code is rotated.
    expect((await owner.enterPin(e, '135790')).status).to.equal(303);
    t.clock.advance(31 * MINUTE);
    await strangers(e, '203.0.115.3', 4);
    expect((await owner.askCode(e)).status).to.equal(303);
    await request(t.app)
      .post(`/api/enterprises/${String(e._id)}/qr/rotate`)
      .set(await t.auth('clerk'))
      .expect(200);
    const rotated = (await t.models.Enterprise.findById(e._id).lean<EnterpriseDoc>())!;
    t.clock.advance(61_000);
    await strangers(rotated, '203.0.115.4', 4);
    const afterRotate = await owner.askCode(rotated);
    expect(afterRotate.status).to.equal(429);
    expect(afterRotate.text).to.include('已暂停发送');
  });
});

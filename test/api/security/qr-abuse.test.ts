// Findings 1 and 6 on the QR page. Whoever holds the printed code can guess, but cannot deny the owner: the
// PIN path locks (and the owner is told), while a correct SMS code to the registered mobile still gets through.
// A verified owner cannot flood the queue: a minimum length and a per-enterprise rate, across processes.
import { expect } from 'chai';
import request from 'supertest';
import { embeddedDb } from '../helpers.ts';
import { MAX_PIN_FAILURES } from '../../../server/routes/public/owner-verification.commands.ts';
import {
  anotherQrApp,
  browser,
  openVerify,
  pageOf,
  setOwnerPin,
  submitCode,
  useQrApp,
  verifyOwner,
  verifySession,
  type QrTestApp,
} from '../qr-page.harness.ts';

type Enterprise = Awaited<ReturnType<QrTestApp['enterprise']>>;

describe('qr page: guessers cannot lock the owner out (finding 1)', () => {
  const limits = { verifyPerToken: 5, verifyPerIp: 3, sendPerIp: 2 };
  const t = useQrApp({ env: { TRUST_PROXY: '1' }, limits });

  const visitor = async (e: Enterprise, ip: string) => ({ ...(await openVerify(t, e, ip)), ip });

  it('after wrong PINs and wrong codes from many addresses, the owner still verifies by SMS', async () => {
    const e = await t.enterprise(20);
    await setOwnerPin(t, e, '246810');

    // Wrong PINs from many addresses: the PIN path ends up locked (and limited per token).
    const statuses: number[] = [];
    for (let i = 0; i < MAX_PIN_FAILURES + 3; i += 1) {
      const v = await visitor(e, `10.20.${i}.1`);
      const res = await v.b
        .post(`${pageOf(e)}/verify-pin`)
        .set('X-Forwarded-For', v.ip)
        .type('form')
        .send({ _csrf: v.csrf, pin: String(100000 + i) });
      statuses.push(res.status);
    }
    expect(statuses.slice(-3).every((s) => s === 429 || s === 403)).to.equal(true);

    // Guessers ask for codes (sent to the owner's phone) and try wrong ones from their own browsers.
    for (let i = 0; i < 3; i += 1) {
      const v = await visitor(e, `10.30.${i}.1`);
      await v.b
        .post(`${pageOf(e)}/code`)
        .set('X-Forwarded-For', v.ip)
        .type('form')
        .send({ _csrf: v.csrf });
      for (let k = 0; k < 5; k += 1) {
        await submitCode(v.b, e, v.csrf, '000000').set('X-Forwarded-For', v.ip);
      }
      // Even the real code, typed into the guesser's browser, would be theirs; they do not have it.
    }

    // The database's TTL monitor runs on its own clock, here months after the suite's simulated one: the
    // counters and codes written on the simulated clock must outlive its pass (it once swept them mid-test).
    await (await embeddedDb()).runMaintenance();

    // The owner, on their own phone: the PIN path is locked, the SMS code gets through.
    const owner = await visitor(e, '10.99.0.1');
    const pin = await owner.b
      .post(`${pageOf(e)}/verify-pin`)
      .set('X-Forwarded-For', owner.ip)
      .type('form')
      .send({ _csrf: owner.csrf, pin: '246810' });
    expect([403, 429]).to.include(pin.status);
    await owner.b
      .post(`${pageOf(e)}/code`)
      .set('X-Forwarded-For', owner.ip)
      .type('form')
      .send({ _csrf: owner.csrf })
      .expect(303);
    const code = t.sms.lastCode();
    await (await embeddedDb()).runMaintenance();
    await submitCode(owner.b, e, owner.csrf, code).set('X-Forwarded-For', owner.ip).expect(303);
    const page = await owner.b.get(pageOf(e)).expect(200);
    expect(page.text).to.include('退出验证');
  });
});

describe('qr page: the PIN lock notice (finding 1)', () => {
  const t = useQrApp({ env: { TRUST_PROXY: '1' } });

  it('the wrong PIN that locks the path sends one notice to the registered mobile', async () => {
    const e = await t.enterprise(22);
    await setOwnerPin(t, e, '135790');
    const before = t.sms.sent.length;
    for (let i = 0; i < MAX_PIN_FAILURES + 2; i += 1) {
      const { b, csrf } = await openVerify(t, e);
      await b
        .post(`${pageOf(e)}/verify-pin`)
        .type('form')
        .send({ _csrf: csrf, pin: '000001' });
    }
    const notices = t.sms.sent.slice(before);
    expect(notices).to.have.length(1);
    expect(notices[0].mobile).to.equal(e.mobile);
    expect(notices[0].text).to.include('锁定');
  });
});

describe('qr page: owner submissions are bounded (finding 6)', () => {
  const t = useQrApp({ limits: { submitPerEnterprise: 3 } });

  const submit = (
    app: QrTestApp['app'],
    cookie: string,
    e: Enterprise,
    csrf: string,
    content: string,
    n: number,
  ) =>
    request(app)
      .post(`${pageOf(e)}/issues`)
      .set('Cookie', cookie)
      .type('form')
      .send({ _csrf: csrf, content, submissionId: `sub${String(n).padStart(20, '0')}` });

  it('refuses a one-character issue with a clear message', async () => {
    const e = await t.enterprise(30);
    const b = browser(t);
    const csrf = await verifyOwner(t, b, e);
    const res = await b
      .post(`${pageOf(e)}/issues`)
      .type('form')
      .send({ _csrf: csrf, content: '短', submissionId: 'd'.repeat(24) })
      .expect(400);
    expect(res.text).to.include('至少10个字');
    expect(await t.models.Issue.countDocuments({ enterpriseId: e._id })).to.equal(0);
  });

  it('limits submissions per enterprise, across sessions and processes, with a clear message', async () => {
    const e = await t.enterprise(31);
    const { csrf, cookie } = await verifySession(t, browser(t), e);
    const text = '园区道路限行，货车无法进入厂区，影响原料进场。';
    for (let n = 0; n < 3; n += 1) await submit(t.app, cookie, e, csrf, `${text}${n}`, n).expect(303);
    const other = anotherQrApp(t, { limits: { submitPerEnterprise: 3 } });
    const refused = await submit(other, cookie, e, csrf, `${text}3`, 3).expect(429);
    expect(refused.text).to.include('请稍后再提交');
    expect(refused.text).to.include(text); // what the owner typed is kept
    expect(await t.models.Issue.countDocuments({ enterpriseId: e._id })).to.equal(3);
  });
});

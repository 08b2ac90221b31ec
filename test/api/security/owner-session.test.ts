// Finding 5: an owner's logout on the QR page ends the session on the server, not only in the browser that
// pressed the button. A copied cookie replayed afterwards sees the guest summary; other processes agree.
import { expect } from 'chai';
import request from 'supertest';
import { anotherQrApp, browser, pageOf, useQrApp, verifySession } from '../qr-page.harness.ts';

describe('qr page: owner sessions are revocable server-side', () => {
  const t = useQrApp();

  it('after logout, the old session cookie no longer opens the owner view, in any process', async () => {
    const e = await t.enterprise(12);
    const b = browser(t);
    const { csrf, cookie } = await verifySession(t, b, e);
    const owner = await request(t.app).get(pageOf(e)).set('Cookie', cookie).expect(200);
    expect(owner.text).to.include('退出验证');

    await b
      .post(`${pageOf(e)}/logout`)
      .type('form')
      .send({ _csrf: csrf })
      .expect(303);

    for (const app of [t.app, anotherQrApp(t)]) {
      const replay = await request(app).get(pageOf(e)).set('Cookie', cookie).expect(200);
      expect(replay.text).to.include('企业负责人验证');
      expect(replay.text).to.not.include('退出验证');
      // Nor can it act: a POST with the old cookie and its CSRF token is refused.
      await request(app)
        .post(`${pageOf(e)}/issues`)
        .set('Cookie', cookie)
        .type('form')
        .send({ _csrf: csrf, content: '登出后重放旧会话提交的问题，应当被拒绝。' })
        .expect(403);
    }
  });

  it('a fresh verification after logout works again', async () => {
    const e = await t.enterprise(13);
    const b = browser(t);
    const first = await verifySession(t, b, e);
    await b
      .post(`${pageOf(e)}/logout`)
      .type('form')
      .send({ _csrf: first.csrf })
      .expect(303);
    const again = await verifySession(t, browser(t), e);
    const page = await request(t.app).get(pageOf(e)).set('Cookie', again.cookie).expect(200);
    expect(page.text).to.include('退出验证');
  });
});

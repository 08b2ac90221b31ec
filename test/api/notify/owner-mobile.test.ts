// A new registered mobile hands the QR page's owner view to whoever holds it, so the mobile it replaces is told,
// whether staff changed it on the form or by an enterprise import: one SMS in the outbox, the new number masked.
// (A security review took over an owner's view this way and nobody heard of it.)
import { expect } from 'chai';
import request from 'supertest';
import { importEnterpriseList, outbox, useNotifyApp } from './notify-harness.ts';

describe('notifications: the replaced registered mobile is told', () => {
  const t = useNotifyApp();

  const notices = async (address: string) =>
    (await outbox(t, { event: 'owner_mobile_changed' })).filter((r) => r.recipient.address === address);

  it('a mobile changed on the form: the old number gets one notice naming the new one masked', async () => {
    const e = t.data.enterprises[0];
    const before = e.mobile;
    await request(t.app)
      .patch(`/api/enterprises/${String(e._id)}`)
      .set(await t.auth('dispatcher'))
      .send({ mobile: '13900000001' })
      .expect(200);
    const rows = await notices(before);
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ channel: 'sms' });
    expect(rows[0].text).to.include('139****0001').and.not.include('13900000001');
    // Other edits say nothing; the number it holds now is not told either.
    await request(t.app)
      .patch(`/api/enterprises/${String(e._id)}`)
      .set(await t.auth('dispatcher'))
      .send({ address: '德清县武康街道1号' })
      .expect(200);
    expect(await notices(before)).to.have.length(1);
    expect(await notices('13900000001')).to.deep.equal([]);
  });

  it('a mobile changed by an enterprise import: the old number is told too', async () => {
    const e = t.data.enterprises[1];
    const job = await importEnterpriseList(t, [
      '统一社会信用代码,企业名称,所在区县,手机号',
      `${e.creditCode},${e.name},${e.region},13900000002`,
    ]);
    expect(job).to.include({ status: 'done', updated: 1 });
    const rows = await notices(e.mobile);
    expect(rows).to.have.length(1);
    expect(rows[0].text).to.include('139****0002');
  });
});

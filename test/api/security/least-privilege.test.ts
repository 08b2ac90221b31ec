// Finding 4: least privilege over enterprises. The registered mobile and the enterprise code (the public
// page's bearer credential, as a URL or as an image) go only to the service centre and admins; a handler sees
// the contact of an enterprise whose open issue its unit handles, and everyone else the summary.
import { expect } from 'chai';
import request from 'supertest';
import { expectError } from '../helpers.ts';
import { enterpriseIn, getIssue, handlerOf, inProgressIssue, useIssueApp } from '../issues/fixtures.ts';

describe('api: least privilege over enterprise contacts and codes', () => {
  const t = useIssueApp();
  const detail = async (as: string, id: string) =>
    request(t.app)
      .get(`/api/enterprises/${id}`)
      .set(await t.auth(as));

  it('centre staff and admins get the mobile and the code URL', async () => {
    const e = enterpriseIn(t, 'deqing', 3);
    for (const as of ['admin', 'clerk', 'dispatcher', 'director']) {
      const res = await detail(as, String(e._id));
      expect(res.status, as).to.equal(200);
      expect(res.body, as).to.include({ mobile: e.mobile });
      expect(res.body.qrUrl, as).to.match(/\/e\//);
    }
  });

  it('a handler sees the contact only of an enterprise whose issue its unit handles, never the code', async () => {
    const handled = enterpriseIn(t, 'deqing', 4);
    const other = enterpriseIn(t, 'deqing', 5);
    const id = await inProgressIssue(t, 'city-drc', { enterprise: { creditCode: handled.creditCode } });
    const mine = await detail(handlerOf('city-drc'), String(handled._id));
    expect(mine.status).to.equal(200);
    expect(mine.body).to.include({ mobile: handled.mobile });
    expect(mine.body).to.not.have.any.keys('qrUrl', 'qrIssuedAt');
    expect(mine.body.ownerName).to.equal(handled.ownerName);
    const theirs = await detail(handlerOf('city-drc'), String(other._id));
    expect(theirs.body).to.not.have.any.keys('mobile', 'qrUrl');
    expect(theirs.body.mobileMasked).to.match(/^\d{3}\*{4}\d{4}$/);
    expect(theirs.body.ownerName).to.equal(`${other.ownerName.slice(0, 1)}**`);
    // Another unit's handler does not handle it: summary only.
    const stranger = await detail(handlerOf('city-tax'), String(handled._id));
    expect(stranger.body).to.not.have.any.keys('mobile', 'qrUrl');
    // Once the unit's issues with it are finished, the unit no longer needs the contact.
    await t.models.Issue.updateOne({ _id: id }, { $set: { state: 'closed' } });
    const after = await detail(handlerOf('city-drc'), String(handled._id));
    expect(after.body).to.not.have.any.keys('mobile', 'qrUrl');
    await t.models.Issue.updateOne({ _id: id }, { $set: { state: 'in_progress' } }); // reopened: again
    expect((await detail(handlerOf('city-drc'), String(handled._id))).body).to.include({
      mobile: handled.mobile,
    });
  });

  it("leaders and supervisors get the summary, the owner's name masked as an issue's contact is", async () => {
    const e = enterpriseIn(t, 'deqing', 6);
    expect(e.ownerName).to.have.length.above(1);
    const masked = `${e.ownerName.slice(0, 1)}**`;
    for (const as of ['leader', 'supervisor']) {
      const res = await detail(as, String(e._id));
      expect(res.status, as).to.equal(200);
      expect(res.body, as).to.not.have.any.keys('mobile', 'qrUrl');
      expect(res.body).to.include({ creditCode: e.creditCode, name: e.name, ownerName: masked });
    }
    // The directory too: whole for the centre, masked for everyone else (a unit's staff included).
    const row = async (as: string) =>
      (
        await request(t.app)
          .get(`/api/enterprises?q=${encodeURIComponent(e.name)}`)
          .set(await t.auth(as))
          .expect(200)
      ).body.items.find((i: { id: string }) => i.id === String(e._id));
    expect((await row('clerk')).ownerName).to.equal(e.ownerName);
    for (const as of ['leader', 'supervisor', handlerOf('city-drc')])
      expect((await row(as)).ownerName, as).to.equal(masked);
  });

  it('the code image is the credential too: 403 for everyone outside the centre', async () => {
    const e = enterpriseIn(t, 'deqing', 4);
    for (const as of [handlerOf('city-drc'), 'leader', 'supervisor']) {
      for (const ext of ['svg', 'png']) {
        expectError(
          await request(t.app)
            .get(`/api/enterprises/${String(e._id)}/qr.${ext}`)
            .set(await t.auth(as)),
          403,
          'forbidden',
        );
      }
    }
    await request(t.app)
      .get(`/api/enterprises/${String(e._id)}/qr.svg`)
      .set(await t.auth('clerk'))
      .expect(200);
  });
});

describe('api: least privilege over who wrote in (an issue contact)', () => {
  const t = useIssueApp();
  const contact = { name: '王建国', phone: '13905721234', email: 'wang@example.cn' };

  it('the centre and the handling unit read it in full; leaders and the supervisor read it masked', async () => {
    const e = enterpriseIn(t, 'deqing', 7);
    const id = await inProgressIssue(t, 'city-drc', { enterprise: { creditCode: e.creditCode }, contact });
    for (const as of ['clerk', 'dispatcher', 'director', handlerOf('city-drc')]) {
      const res = await getIssue(t, as, id);
      expect(res.status, as).to.equal(200);
      expect(res.body.contact, as).to.deep.equal(contact);
      expect(res.body.sources[0].contact, as).to.deep.equal(contact);
    }
    const masked = { name: '王**', phone: '139****1234', email: 'w***@example.cn', masked: true };
    for (const as of ['leader', 'supervisor']) {
      const res = await getIssue(t, as, id);
      expect(res.status, as).to.equal(200);
      expect(res.body.contact, as).to.deep.equal(masked);
      expect(res.body.sources[0].contact, as).to.deep.equal(masked);
      expect(JSON.stringify(res.body), as).to.not.include('13905721234');
    }
  });
});

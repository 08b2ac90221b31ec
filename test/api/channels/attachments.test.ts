// /api/issues/:id/attachments: GridFS on the embedded server, magic-byte checks, the 10 MB and 5-per-issue
// limits, and reads only for those who may read the issue.
import { expect } from 'chai';
import request from 'supertest';
import { expectError } from '../helpers.ts';
import { binary, PDF, PNG } from './files.fixtures.ts';
import { handlerOf, must, receivedIssue, unitByCode, useIssueApp } from '../issues/fixtures.ts';

describe('issue attachments (GridFS)', () => {
  const t = useIssueApp();

  const upload = async (as: string, id: string, files: [Buffer, string][]) => {
    let req = request(t.app)
      .post(`/api/issues/${id}/attachments`)
      .set(await t.auth(as));
    for (const [data, name] of files) req = req.attach('file', data, name);
    return req;
  };

  it('stores an image and a PDF, lists them and serves them back byte for byte with safe headers', async () => {
    const id = await receivedIssue(t);
    const res = await upload('clerk', id, [
      [PNG, '现场照片.png'],
      [PDF, '../../etc/证明材料.pdf'],
    ]);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.items.map((a: { contentType: string }) => a.contentType)).to.deep.equal([
      'image/png',
      'application/pdf',
    ]);
    expect(res.body.items[1].filename).to.equal('证明材料.pdf');

    const list = await request(t.app)
      .get(`/api/issues/${id}/attachments`)
      .set(await t.auth('dispatcher'));
    expect(list.status).to.equal(200);
    expect(list.body.items).to.have.length(2);

    const pdf = await request(t.app)
      .get(`/api/issues/${id}/attachments/${res.body.items[1].id}`)
      .set(await t.auth('dispatcher'))
      .buffer(true)
      .parse(binary);
    expect(pdf.status).to.equal(200);
    expect(Buffer.compare(pdf.body as Buffer, PDF)).to.equal(0);
    expect(pdf.headers['content-type']).to.equal('application/pdf');
    expect(pdf.headers['x-content-type-options']).to.equal('nosniff');
    expect(pdf.headers['content-disposition']).to.match(/^attachment; filename=".*"; filename\*=UTF-8''/);
  });

  it('refuses a file whose bytes are not an image or PDF, whatever its name says (415)', async () => {
    const id = await receivedIssue(t);
    expectError(
      await upload('clerk', id, [[Buffer.from('<script>alert(1)</script>'), 'photo.png']]),
      415,
      'attachment_type',
    );
    expectError(
      await upload('clerk', id, [[Buffer.from('MZ\x90\x00binary'), 'x.pdf']]),
      415,
      'attachment_type',
    );
  });

  it('refuses a file over 10 MB (413) and a sixth attachment (409)', async () => {
    const id = await receivedIssue(t);
    const big = Buffer.concat([PNG, Buffer.alloc(10 * 1024 * 1024)]);
    expectError(await upload('clerk', id, [[big, 'big.png']]), 413, 'file_too_large');
    const five = Array.from({ length: 5 }, (_, i): [Buffer, string] => [PNG, `p${i}.png`]);
    expect((await upload('clerk', id, five)).status).to.equal(201);
    expectError(await upload('clerk', id, [[PNG, 'sixth.png']]), 409, 'attachment_limit');
    const list = await request(t.app)
      .get(`/api/issues/${id}/attachments`)
      .set(await t.auth('clerk'));
    expect(list.body.items).to.have.length(5);
  });

  it('serves files only to those who may read the issue (404 otherwise), 401 without login, 415 non-multipart', async () => {
    const id = await receivedIssue(t);
    const saved = await upload('clerk', id, [[PNG, 'a.png']]);
    const fileId = saved.body.items[0].id as string;
    await must(t, 'dispatcher', id, 'dispatch', { unitId: String(unitByCode(t, 'city-drc')._id) });
    const url = `/api/issues/${id}/attachments/${fileId}`;
    expect(
      (
        await request(t.app)
          .get(url)
          .set(await t.auth(handlerOf('city-drc')))
      ).status,
    ).to.equal(200);
    expectError(
      await request(t.app)
        .get(url)
        .set(await t.auth(handlerOf('city-tax'))),
      404,
      'not_found',
    );
    expectError(
      await request(t.app)
        .get(url)
        .set(await t.auth('admin')),
      404,
      'not_found',
    );
    expectError(await request(t.app).get(url), 401, 'unauthorized');
    expectError(
      await request(t.app)
        .post(`/api/issues/${id}/attachments`)
        .set(await t.auth('clerk'))
        .send({ a: 1 }),
      415,
      'multipart_required',
    );
    const other = await receivedIssue(t);
    expectError(
      await request(t.app)
        .get(`/api/issues/${other}/attachments/${fileId}`)
        .set(await t.auth('clerk')),
      404,
      'not_found',
    );
  });
});

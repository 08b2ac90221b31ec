// Enterprise-code plaques: the printable A5 page, the PDF (subset CJK font, small), and batch exports of many
// plaques as one PDF with progress, download, cancellation and access rules.
import { expect } from 'chai';
import request from 'supertest';
import { expectError, useTestApp } from './helpers.ts';

const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

/** Page objects in a PDF (pdfkit writes object dictionaries uncompressed). */
const pagesOf = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type \/Page[^s]/g) ?? []).length;

describe('api: enterprise-code plaques', function () {
  this.timeout(120_000);
  const t = useTestApp();
  const first = () => t.seed!.enterprises[0];

  before(async () => {
    // Exactly 200 enterprises for the batch export.
    const extra = t.seed!.enterprises.slice(200).map((e) => e._id);
    await t.models.Enterprise.deleteMany({ _id: { $in: extra } });
  });

  it('the printable A5 page: name, credit code, QR code, hotline and instructions, print CSS', async () => {
    const res = await request(t.app)
      .get(`/api/enterprises/${String(first()._id)}/plaque`)
      .set(await t.auth('clerk'))
      .expect(200);
    expect(res.headers['content-type']).to.contain('text/html');
    for (const text of [
      first().name,
      first().creditCode,
      '扫码查看诉求办理进度、评价服务',
      '服务热线：12345',
      '@page { size: A5',
    ])
      expect(res.text).to.contain(text);
    expect(res.text).to.match(/<svg[^>]*>/);
    // The token is only in the code's modules, never printed as text.
    expect(res.text).to.not.contain(first().qrToken);
  });

  it('the PDF: one A5 page, the CJK font embedded as a subset, a few tens of kilobytes', async () => {
    // The plaque carries the QR code, the public page's bearer credential: centre staff and admins only.
    await request(t.app)
      .get(`/api/enterprises/${String(first()._id)}/plaque.pdf`)
      .set(await t.auth('handler-city-tax'))
      .expect(403);
    const res = await request(t.app)
      .get(`/api/enterprises/${String(first()._id)}/plaque.pdf`)
      .set(await t.auth('clerk'))
      .buffer(true)
      .parse(binary)
      .expect(200);
    const pdf = res.body as Buffer;
    expect(res.headers['content-type']).to.equal('application/pdf');
    expect(pdf.subarray(0, 5).toString()).to.equal('%PDF-');
    expect(pagesOf(pdf)).to.equal(1);
    const text = pdf.toString('latin1');
    expect(text).to.contain('/MediaBox [0 0 419.53 595.28]');
    expect(text).to.match(/\/BaseFont \/[A-Z]{6}\+NotoSansSC/);
    expect(pdf.length).to.be.below(120_000);
  });

  it('404 for an unknown enterprise; 401 without a token', async () => {
    expectError(
      await request(t.app)
        .get('/api/enterprises/0123456789abcdef01234567/plaque.pdf')
        .set(await t.auth('clerk')),
      404,
      'not_found',
    );
    expectError(
      await request(t.app).get(`/api/enterprises/${String(first()._id)}/plaque`),
      401,
      'unauthorized',
    );
  });

  async function waitFor(id: string, as: string, until: (s: { status: string }) => boolean) {
    for (let i = 0; i < 600; i++) {
      const res = await request(t.app)
        .get(`/api/enterprises/plaques/${id}`)
        .set(await t.auth(as))
        .expect(200);
      if (until(res.body)) return res.body as { status: string; total: number; done: number };
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('export did not finish');
  }

  it('a batch export of 200 enterprises is one PDF of 200 pages, with progress', async () => {
    const start = await request(t.app)
      .post('/api/enterprises/plaques')
      .set(await t.auth('clerk'))
      .send({})
      .expect(202);
    expect(start.body.total).to.equal(200);
    const early = await request(t.app)
      .get(`/api/enterprises/plaques/${start.body.id}/file`)
      .set(await t.auth('clerk'));
    if (early.status !== 200) expectError(early, 409, 'not_ready');
    const done = await waitFor(start.body.id, 'clerk', (s) => s.status !== 'running');
    expect(done).to.include({ status: 'done', total: 200, done: 200 });
    const file = await request(t.app)
      .get(`/api/enterprises/plaques/${start.body.id}/file`)
      .set(await t.auth('clerk'))
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(file.headers['content-type']).to.equal('application/pdf');
    expect(pagesOf(file.body as Buffer)).to.equal(200);
    // Someone else's export is not theirs to see.
    expectError(
      await request(t.app)
        .get(`/api/enterprises/plaques/${start.body.id}`)
        .set(await t.auth('dispatcher')),
      404,
      'not_found',
    );
  });

  it('a region export counts that region; cancelling stops it and removes the file', async () => {
    const anji = await t.models.Enterprise.countDocuments({ region: 'anji' });
    const region = await request(t.app)
      .post('/api/enterprises/plaques')
      .set(await t.auth('dispatcher'))
      .send({ region: 'anji' })
      .expect(202);
    expect(region.body.total).to.equal(anji);
    await waitFor(region.body.id, 'dispatcher', (s) => s.status !== 'running');
    const big = await request(t.app)
      .post('/api/enterprises/plaques')
      .set(await t.auth('admin'))
      .send({})
      .expect(202);
    await request(t.app)
      .delete(`/api/enterprises/plaques/${big.body.id}`)
      .set(await t.auth('admin'))
      .expect(204);
    const res = await request(t.app)
      .get(`/api/enterprises/plaques/${big.body.id}`)
      .set(await t.auth('admin'));
    if (res.status === 200) {
      const ended = await waitFor(big.body.id, 'admin', (s) => s.status !== 'running');
      expect(ended.status).to.equal('cancelled');
      expect(ended.done).to.be.below(200);
      expectError(
        await request(t.app)
          .get(`/api/enterprises/plaques/${big.body.id}/file`)
          .set(await t.auth('admin')),
        409,
        'not_ready',
      );
    } else expectError(res, 404, 'not_found');
  });

  it('403 for roles that do not print codes; 400 for a bad filter; 404 for an unknown export', async () => {
    expectError(
      await request(t.app)
        .post('/api/enterprises/plaques')
        .set(await t.auth('handler-city-tax'))
        .send({}),
      403,
      'forbidden',
    );
    expectError(
      await request(t.app)
        .post('/api/enterprises/plaques')
        .set(await t.auth('clerk'))
        .send({ unitId: 'nope' }),
      400,
      'validation_failed',
    );
    expectError(
      await request(t.app)
        .get('/api/enterprises/plaques/0123456789abcdef01234567')
        .set(await t.auth('clerk')),
      404,
      'not_found',
    );
  });
});

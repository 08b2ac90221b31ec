// /api/issues/:id/attachments: GridFS on the embedded server, magic-byte checks, the 10 MB and 5-per-issue
// limits, reads only for those who may read the issue, uploads only for those who may act on it while it is
// not finished, each upload on the timeline.
import { expect } from 'chai';
import request from 'supertest';
import { expectError } from '../helpers.ts';
import { binary, PDF, PNG } from './files.fixtures.ts';
import {
  getIssue,
  handlerOf,
  inProgressIssue,
  must,
  receivedIssue,
  unitByCode,
  useIssueApp,
} from '../issues/fixtures.ts';

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

  const list = async (as: string, id: string) =>
    request(t.app)
      .get(`/api/issues/${id}/attachments`)
      .set(await t.auth(as));

  it("records each upload on the issue's timeline: who, when, which files, internal", async () => {
    const id = await inProgressIssue(t, 'city-drc');
    t.clock.advance(3600_000);
    const res = await upload(handlerOf('city-drc'), id, [
      [PNG, '现场照片.png'],
      [PDF, '证明材料.pdf'],
    ]);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const issue = (await getIssue(t, 'dispatcher', id)).body;
    const last = issue.timeline[issue.timeline.length - 1];
    expect(last).to.include({
      action: 'note',
      actorRole: 'handler',
      fromState: 'in_progress',
      toState: 'in_progress',
      public: false,
      note: '上传附件：现场照片.png、证明材料.pdf',
    });
    expect(last.actorName).to.be.a('string').and.not.equal('');
    expect(new Date(last.at).toISOString()).to.equal(t.clock.now().toISOString());
    // The files say the same time as the timeline entry: the business clock's (a demo clock's too).
    for (const file of res.body.items as { uploadedAt: string }[])
      expect(file.uploadedAt).to.equal(t.clock.now().toISOString());
    expect(last.data).to.deep.equal({
      kind: 'attachments_added',
      attachments: res.body.items.map((a: { id: string; filename: string }) => ({
        id: a.id,
        filename: a.filename,
      })),
    });
  });

  it('lets only those who may act on the issue upload: not a leader who only reads it, nor another unit or the admin', async () => {
    const id = await inProgressIssue(t, 'city-drc');
    // The city leader reads every issue through the KPI drill scope, but this one is not in their domain.
    expect((await list('leader', id)).status).to.equal(200);
    expectError(await upload('leader', id, [[PNG, 'a.png']]), 403, 'forbidden');
    expectError(await upload(handlerOf('city-tax'), id, [[PNG, 'a.png']]), 404, 'not_found');
    expectError(await upload('admin', id, [[PNG, 'a.png']]), 404, 'not_found');
    // The refused uploads left no file and no trace, so the unit still has all five slots.
    expect((await list('clerk', id)).body.items).to.have.length(0);
    const five = Array.from({ length: 5 }, (_, i): [Buffer, string] => [PNG, `p${i}.png`]);
    expect((await upload(handlerOf('city-drc'), id, five)).status).to.equal(201);
    const events = (await getIssue(t, 'dispatcher', id)).body.timeline as {
      data: { kind?: string } | null;
    }[];
    expect(events.filter((e) => e.data?.kind === 'attachments_added')).to.have.length(1);
  });

  it('refuses uploads to a finished issue (409 issue_finished) while its files stay readable', async () => {
    const rejected = await receivedIssue(t);
    expect((await upload('clerk', rejected, [[PNG, 'before.png']])).status).to.equal(201);
    await must(t, 'dispatcher', rejected, 'reject', { reason: '不属于涉企问题受理范围' });
    const refused = await upload('clerk', rejected, [[PNG, 'after.png']]);
    expectError(refused, 409, 'issue_finished');
    expect(refused.body.error.message).to.equal('问题处于「不予受理」状态，不能再上传附件');
    expect((await list('clerk', rejected)).body.items).to.have.length(1);

    const master = await receivedIssue(t);
    const merged = await receivedIssue(t);
    await must(t, 'dispatcher', merged, 'merge', { intoId: master });
    expectError(await upload('dispatcher', merged, [[PNG, 'late.png']]), 409, 'issue_finished');

    const closed = await inProgressIssue(t, 'city-drc');
    await must(t, handlerOf('city-drc'), closed, 'reply', { text: '已答复' });
    await must(t, 'dispatcher', closed, 'verify');
    await must(t, 'clerk', closed, 'rate', { rating: 'good', level: 'satisfied' });
    expectError(await upload(handlerOf('city-drc'), closed, [[PNG, 'late.png']]), 409, 'issue_finished');
  });

  it('stores nothing when one file of an upload breaks a rule or there is no room for all of them', async () => {
    const id = await receivedIssue(t);
    expectError(
      await upload('clerk', id, [
        [PNG, 'ok.png'],
        [Buffer.from('not a file'), 'bad.png'],
      ]),
      415,
      'attachment_type',
    );
    expect((await list('clerk', id)).body.items).to.have.length(0);
    const four = Array.from({ length: 4 }, (_, i): [Buffer, string] => [PNG, `p${i}.png`]);
    expect((await upload('clerk', id, four)).status).to.equal(201);
    expectError(
      await upload('clerk', id, [
        [PNG, 'x.png'],
        [PNG, 'y.png'],
      ]),
      409,
      'attachment_limit',
    );
    expect((await list('clerk', id)).body.items).to.have.length(4);
  });
});

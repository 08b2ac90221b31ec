// The owner's photos and PDFs on the QR page's new-issue form: a plain multipart POST (no JavaScript), stored
// with the issue through intake like an email's files, the refused ones (a sixth file, a program renamed .jpg,
// a file over 10 MB) named to the owner while the issue is filed all the same; the CSRF token still guards the
// form; the verified owner is the issue's contact.
import { expect } from 'chai';
import request from 'supertest';
import type { EnterpriseDoc } from '../../server/models/index.ts';
import {
  browser,
  csrfOf,
  pageOf,
  staffIssue,
  useQrApp,
  verifyOwner,
  type Browser,
  type QrTestApp,
} from './qr-page.harness.ts';

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('IHDR-a-small-photo-of-the-road'),
]);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
/** A Windows program (MZ header) named as a photo. */
const EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), Buffer.alloc(200, 1)]);
/** A JPEG of 11 MB. */
const BIG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(11 * 1024 * 1024, 7)]);

interface Upload {
  name: string;
  data: Buffer;
  type: string;
}

/** The new-issue form as the browser sends it: its fields first (the token leads), then the chosen files. */
async function openForm(b: Browser, e: EnterpriseDoc) {
  const form = await b.get(`${pageOf(e)}/new`).expect(200);
  const submissionId = /name="submissionId" value="([^"]+)"/.exec(form.text)![1];
  return { csrf: csrfOf(form.text), submissionId, html: form.text };
}

function post(b: Browser, e: EnterpriseDoc, fields: Record<string, string>, files: Upload[]) {
  let req = b.post(`${pageOf(e)}/issues`);
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  for (const f of files) req = req.attach('files', f.data, { filename: f.name, contentType: f.type });
  return req;
}

async function issueOf(t: QrTestApp, location: string) {
  const number = /n=(HZ-\d{4}-\d{6})/.exec(location)![1];
  const doc = await t.models.Issue.findOne({ number }).lean();
  return doc!;
}

describe('QR page: photos and PDFs with a new issue', () => {
  const t: QrTestApp = useQrApp();

  it('offers a file input (camera or album, images and PDF) in a plain multipart form', async () => {
    const e = await t.enterprise(20);
    const b = browser(t);
    await verifyOwner(t, b, e);
    const { html } = await openForm(b, e);
    expect(html).to.match(/<form method="post" action="[^"]+\/issues" enctype="multipart\/form-data">/);
    // The accepted types by name, JPEG first: a picker that would pass an HEIC photo on converts it to JPEG.
    expect(html).to.match(
      /<input\s+type="file"\s+id="files"\s+name="files"\s+accept="image\/jpeg,image\/png,image\/gif,image\/webp,application\/pdf"\s+multiple/,
    );
    expect(html).to.include('最多5个，每个不超过10MB');
    // The token is the form's first field, so it arrives before any file.
    const form = html.slice(html.indexOf('enctype="multipart/form-data"'));
    expect(form.indexOf('name="_csrf"')).to.be.lessThan(form.indexOf('type="file"'));
  });

  it('stores a photo and a PDF with the issue (source qr), for staff to list and open', async () => {
    const e = await t.enterprise(21);
    const b = browser(t);
    await verifyOwner(t, b, e);
    const { csrf, submissionId } = await openForm(b, e);
    const res = await post(
      b,
      e,
      { _csrf: csrf, submissionId, title: '道路塌陷', content: '厂区门口道路塌陷，货车无法通行，见照片。' },
      [
        { name: '现场.png', data: PNG, type: 'image/png' },
        { name: '报告.pdf', data: PDF, type: 'application/pdf' },
      ],
    ).expect(303);
    expect(res.headers.location).to.match(/msg=submitted&n=HZ-\d{4}-\d{6}$/);
    const issue = await issueOf(t, res.headers.location);
    expect(issue).to.include({ channel: 'qr' });
    const list = await request(t.app)
      .get(`/api/issues/${String(issue._id)}/attachments`)
      .set(await t.auth('dispatcher'))
      .expect(200);
    expect(list.body.items.map((a: { filename: string }) => a.filename)).to.deep.equal([
      '现场.png',
      '报告.pdf',
    ]);
    expect(list.body.items.map((a: { contentType: string }) => a.contentType)).to.deep.equal([
      'image/png',
      'application/pdf',
    ]);
    for (const a of list.body.items) expect(a).to.include({ source: 'qr', status: 'stored' });
    const photo = await request(t.app)
      .get(`/api/issues/${String(issue._id)}/attachments/${list.body.items[0].id}`)
      .set(await t.auth('dispatcher'))
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(Buffer.compare(photo.body as Buffer, PNG)).to.equal(0);
    // The owner hears that both arrived.
    const page = await b.get(res.headers.location).expect(200);
    expect(page.text).to.include('已上传2个附件');
    expect(page.text).to.not.include('未上传');
  });

  it('lists the files the enterprise sent on its owner’s page and serves them to that owner only', async () => {
    const e = await t.enterprise(27);
    const b = browser(t);
    await verifyOwner(t, b, e);
    const { csrf, submissionId } = await openForm(b, e);
    const res = await post(
      b,
      e,
      { _csrf: csrf, submissionId, title: '围墙倒塌', content: '暴雨后厂区围墙倒塌，见照片和报告。' },
      [
        { name: '围墙.png', data: PNG, type: 'image/png' },
        { name: '报告.pdf', data: PDF, type: 'application/pdf' },
      ],
    ).expect(303);
    const issue = await issueOf(t, res.headers.location);
    const id = String(issue._id);
    // A file staff attach is their own working paper: not listed to the owner, not served.
    const staff = await request(t.app)
      .post(`/api/issues/${id}/attachments`)
      .set(await t.auth('dispatcher'))
      .attach('file', PDF, { filename: '内部核查记录.pdf', contentType: 'application/pdf' })
      .expect(201);
    const staffFileId = staff.body.items[0].id as string;
    const files = (
      await request(t.app)
        .get(`/api/issues/${id}/attachments`)
        .set(await t.auth('dispatcher'))
        .expect(200)
    ).body.items as { id: string; filename: string }[];
    const [photo, report] = ['围墙.png', '报告.pdf'].map((n) => files.find((f) => f.filename === n)!);

    const page = (await b.get(pageOf(e)).expect(200)).text;
    const card = page.slice(
      page.indexOf(`id="issue-${id}"`),
      page.indexOf('</li>', page.indexOf('报告.pdf')),
    );
    expect(card).to.include('提交的材料');
    expect(card).to.include(
      `<a href="${pageOf(e)}/issues/${id}/files/${photo.id}" target="_blank" rel="noopener">围墙.png</a`,
    );
    expect(card).to.include(
      `<a href="${pageOf(e)}/issues/${id}/files/${report.id}" target="_blank" rel="noopener">报告.pdf</a`,
    );
    expect(page).to.not.include('内部核查记录');

    const bytes = (r: request.Test) =>
      r.buffer(true).parse((resp, cb) => {
        const chunks: Buffer[] = [];
        resp.on('data', (c: Buffer) => chunks.push(c));
        resp.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    const got = await bytes(b.get(`${pageOf(e)}/issues/${id}/files/${photo.id}`)).expect(200);
    expect(Buffer.compare(got.body as Buffer, PNG)).to.equal(0);
    expect(got.headers).to.include({
      'content-type': 'image/png',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
    });
    expect(got.headers['content-disposition']).to.match(/^inline;/);
    // Staff's file, a stranger without the session, another enterprise's code: none gets a file.
    await b.get(`${pageOf(e)}/issues/${id}/files/${staffFileId}`).expect(404);
    const stranger = await request(t.app)
      .get(`${pageOf(e)}/issues/${id}/files/${photo.id}`)
      .expect(303);
    expect(stranger.headers.location).to.equal(`${pageOf(e)}/verify`);
    const other = await t.enterprise(28);
    const b2 = browser(t);
    await verifyOwner(t, b2, other);
    await b2.get(`${pageOf(other)}/issues/${id}/files/${photo.id}`).expect(404);
    await b.get(`${pageOf(e)}/issues/${id}/files/not-an-id`).expect(404);
  });

  it('a file the unit marks 企业可见 is listed to the owner as 办理单位提供的材料 and served; the timeline says so', async () => {
    const e = await t.enterprise(29);
    const b = browser(t);
    await verifyOwner(t, b, e);
    const { csrf, submissionId } = await openForm(b, e);
    const res = await post(
      b,
      e,
      {
        _csrf: csrf,
        submissionId,
        title: '厂区路灯不亮',
        content: '厂区门口三盏路灯一个月不亮，夜班员工出行不便。',
      },
      [],
    ).expect(303);
    const id = String((await issueOf(t, res.headers.location))._id);
    const auth = await t.auth('dispatcher');
    const shown = await request(t.app)
      .post(`/api/issues/${id}/attachments?public=true`)
      .set(auth)
      .attach('file', PNG, { filename: '维修后照片.png', contentType: 'image/png' })
      .expect(201);
    expect(shown.body.items[0]).to.include({ filename: '维修后照片.png', source: 'staff', public: true });
    const kept = await request(t.app)
      .post(`/api/issues/${id}/attachments?public=false`)
      .set(auth)
      .attach('file', PDF, { filename: '内部工作记录.pdf', contentType: 'application/pdf' })
      .expect(201);
    expect(kept.body.items[0]).to.include({ public: false });
    const bad = await request(t.app)
      .post(`/api/issues/${id}/attachments?public=yes`)
      .set(auth)
      .attach('file', PNG, { filename: 'x.png', contentType: 'image/png' })
      .expect(400);
    expect(bad.body.error.code).to.equal('validation_failed');

    const page = (await b.get(pageOf(e)).expect(200)).text;
    const fileId = shown.body.items[0].id as string;
    expect(page).to.include('办理单位提供的材料');
    expect(page).to.include(
      `<a href="${pageOf(e)}/issues/${id}/files/${fileId}" target="_blank" rel="noopener">维修后照片.png</a`,
    );
    expect(page).to.not.include('内部工作记录');
    expect(page).to.include('提供材料（企业可查看）：维修后照片.png');
    await b.get(`${pageOf(e)}/issues/${id}/files/${fileId}`).expect(200);
    await b.get(`${pageOf(e)}/issues/${id}/files/${kept.body.items[0].id as string}`).expect(404);
  });

  it('files the issue and names each refused file to the owner: a sixth, a program named .jpg, 11 MB', async () => {
    const e = await t.enterprise(22);
    const b = browser(t);
    await verifyOwner(t, b, e);
    const { csrf, submissionId } = await openForm(b, e);
    const photos = [1, 2, 3, 4, 5, 6].map((n) => ({ name: `照片${n}.png`, data: PNG, type: 'image/png' }));
    const res = await post(
      b,
      e,
      { _csrf: csrf, submissionId, content: '仓库屋顶漏水，多处墙面渗水，见附图。' },
      [
        photos[0],
        { name: '照片.jpg', data: EXE, type: 'image/jpeg' },
        photos[1],
        { name: '全景.jpg', data: BIG, type: 'image/jpeg' },
        ...photos.slice(2),
        // A name of thousands of characters is recorded and shown cut to 80.
        { name: `${'说明'.repeat(2000)}.txt`, data: Buffer.from('plain text'), type: 'text/plain' },
      ],
    ).expect(303);
    const issue = await issueOf(t, res.headers.location);
    expect(issue.content).to.include('仓库屋顶漏水');
    const list = await request(t.app)
      .get(`/api/issues/${String(issue._id)}/attachments`)
      .set(await t.auth('dispatcher'))
      .expect(200);
    expect(list.body.items.map((a: { filename: string }) => a.filename)).to.deep.equal(
      photos.slice(0, 5).map((p) => p.name),
    );
    const page = await b.get(res.headers.location).expect(200);
    expect(page.text).to.include('已上传5个附件');
    expect(page.text).to.include('以下4个文件未上传，问题本身已正常提交');
    expect(page.text).to.include(`<li>${'说明'.repeat(40)}（类型不支持）</li>`);
    expect(page.text).to.include('<li>照片.jpg（类型不支持）</li>');
    expect(page.text).to.include('<li>全景.jpg（超过10MB）</li>');
    expect(page.text).to.include('<li>照片6.png（超过5个上限）</li>');
    // Staff read the same on the issue (internal note) and on its inbox entry, as for an email's files.
    const staff = await staffIssue(t, String(issue._id));
    const note = staff.timeline.find((ev: { note?: string }) => ev.note?.includes('个附件未保存'));
    expect(note).to.include({ public: false });
    expect(note.note).to.include('全景.jpg（超过10MB）');
    const entry = await t.models.InboxEntry.findOne({ issueId: issue._id }).lean();
    expect(entry?.refusedAttachments?.map((r: { filename: string }) => r.filename)).to.have.members([
      '照片.jpg',
      '全景.jpg',
      '照片6.png',
      '说明'.repeat(40),
    ]);
  });

  it('still requires the CSRF token, ahead of the files, and a live owner session', async () => {
    const e = await t.enterprise(23);
    const b = browser(t);
    await verifyOwner(t, b, e);
    const { csrf, submissionId } = await openForm(b, e);
    const content = '园区污水管网堵塞，雨天倒灌进车间。';
    const photo = [{ name: 'a.png', data: PNG, type: 'image/png' }];
    await post(b, e, { submissionId, content }, photo).expect(403);
    await post(b, e, { _csrf: 'forged-token-forged-token-forged', submissionId, content }, photo).expect(403);
    await post(b, e, { _csrf: 'forged-token-forged-token-forged', submissionId, content }, []).expect(403);
    // The token after a file: that file would have been read before the check, so the form is refused.
    const late = b
      .post(`${pageOf(e)}/issues`)
      .field('submissionId', submissionId)
      .field('content', content)
      .attach('files', PNG, { filename: 'a.png', contentType: 'image/png' })
      .field('_csrf', csrf);
    await late.expect(403);
    // Someone else's browser (no owner session) with the right token.
    await post(browser(t), e, { _csrf: csrf, submissionId, content }, photo).expect(403);
    expect(await t.models.Issue.countDocuments({ enterpriseId: e._id })).to.equal(0);
    // The same form, as it should be sent, goes through.
    await post(b, e, { _csrf: csrf, submissionId, content }, photo).expect(303);
    expect(await t.models.Issue.countDocuments({ enterpriseId: e._id })).to.equal(1);
  });

  it('a refused form keeps the text and asks for the files again; resubmitting stores them once', async () => {
    const e = await t.enterprise(24);
    const b = browser(t);
    await verifyOwner(t, b, e);
    const { csrf, submissionId } = await openForm(b, e);
    const photo = [{ name: 'a.png', data: PNG, type: 'image/png' }];
    const short = await post(b, e, { _csrf: csrf, submissionId, title: '停电', content: '停电' }, photo);
    expect(short.status).to.equal(400);
    expect(short.text).to.include('问题描述至少10个字');
    expect(short.text).to.include('请重新选择');
    expect(short.text).to.include('value="停电"');
    const fields = { _csrf: csrf, submissionId, content: '工业园区昨夜起停电，至今未恢复供电。' };
    const first = await post(b, e, fields, photo).expect(303);
    const again = await post(b, e, fields, photo).expect(303);
    expect(again.headers.location).to.equal(first.headers.location);
    const issue = await issueOf(t, first.headers.location);
    const list = await request(t.app)
      .get(`/api/issues/${String(issue._id)}/attachments`)
      .set(await t.auth('dispatcher'))
      .expect(200);
    expect(list.body.items).to.have.length(1);
  });

  it('records the verified owner (registered mobile, owner name) as the issue contact', async () => {
    const e = await t.enterprise(25);
    const b = browser(t);
    await verifyOwner(t, b, e);
    const { csrf, submissionId } = await openForm(b, e);
    const res = await post(
      b,
      e,
      { _csrf: csrf, submissionId, content: '申请的技改补贴至今未到账，请协调。' },
      [],
    ).expect(303);
    const issue = await issueOf(t, res.headers.location);
    expect(issue.contact).to.deep.equal({ name: e.ownerName, phone: e.mobile });
    const staff = await staffIssue(t, String(issue._id));
    expect(staff.contact).to.include({ name: e.ownerName, phone: e.mobile });
  });
});

describe('QR page: forms with files are counted before they are read', () => {
  const t: QrTestApp = useQrApp({ limits: { submitPerEnterprise: 3 } });

  it('counts every form with files before reading it, refused or not: past the bound it is 429, unread', async () => {
    const e = await t.enterprise(26);
    const b = browser(t);
    await verifyOwner(t, b, e);
    const { csrf, submissionId } = await openForm(b, e);
    const photo = [{ name: 'a.png', data: PNG, type: 'image/png' }];
    // Forms that fail validation (too short) are never filed, yet each held its files while it was read.
    // UPLOADS_PER_SUBMISSION (3) forms per submission allowed (3 here): nine.
    for (let n = 0; n < 9; n++)
      await post(b, e, { _csrf: csrf, submissionId, content: '短' }, photo).expect(400);
    const res = await post(
      b,
      e,
      { _csrf: csrf, submissionId, content: '仓库屋顶漏水，多处墙面渗水。' },
      photo,
    );
    expect(res.status).to.equal(429);
    expect(res.text).to.include('提交过于频繁');
    expect(await t.models.Issue.countDocuments({ enterpriseId: e._id, content: /仓库屋顶漏水/ })).to.equal(0);
  });
});

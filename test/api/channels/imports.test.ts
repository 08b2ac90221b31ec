// POST /api/imports and GET /api/imports/:id: CSV (UTF-8 with BOM, GB18030) and XLSX imports with bad rows,
// re-imported without duplicates; which row became which issue number; files that are not what their name says;
// who may import.
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import request from 'supertest';
import { binary } from './files.fixtures.ts';
import { xlsxBomb } from '../xlsx-bomb.fixtures.ts';
import { expectError, useTestApp, type TestApp } from '../helpers.ts';

const URL = '/api/imports';

async function codes(t: TestApp, n: number) {
  // Registered enterprises only: a provisional one an earlier test registered by name has no credit code.
  const list = await t.models.Enterprise.find({ creditCode: { $type: 'string' } }, { creditCode: 1, name: 1 })
    .sort({ creditCode: 1 })
    .limit(n)
    .lean();
  return list;
}

async function upload(t: TestApp, as: string, data: Buffer, filename: string, channel = 'meeting') {
  return request(t.app)
    .post(URL)
    .set(await t.auth(as))
    .field('channel', channel)
    .attach('file', data, filename);
}

async function finished(t: TestApp, id: string) {
  for (let i = 0; i < 200; i++) {
    const res = await request(t.app)
      .get(`${URL}/${id}`)
      .set(await t.auth('clerk'));
    expect(res.status).to.equal(200);
    if (res.body.status === 'done' || res.body.status === 'failed') return res.body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('import did not finish');
}

async function importAndWait(t: TestApp, data: Buffer, filename: string, channel = 'meeting') {
  const res = await upload(t, 'clerk', data, filename, channel);
  expect(res.status, JSON.stringify(res.body)).to.equal(202);
  return finished(t, res.body.id as string);
}

describe('batch imports (/api/imports)', () => {
  const t = useTestApp();

  it('imports a UTF-8 CSV with BOM and Chinese headers: bad rows reported by row number, valid rows filed, a re-import files nothing twice', async () => {
    const [a, b] = await codes(t, 2);
    const csv =
      '\uFEFF统一社会信用代码,企业名称,联系人,联系电话,标题,内容,紧急程度,外部编号\r\n' +
      `${a.creditCode},,王总,13900000001,用电扩容,"园区用电扩容申请，三个月未批复",紧急,\r\n` +
      `${b.creditCode},,,,,"货车限行，影响原料进厂",,MEET-2026-02\r\n` +
      `91330000000000000X,,,,,信用代码错误的一行,,\r\n` +
      `${a.creditCode},,,,,,,\r\n` +
      `,${b.name},,,,按企业名称匹配的一行,一般,\r\n` +
      `${a.creditCode},,,,,紧急程度写错的一行,很急,\r\n`;
    const first = await importAndWait(t, Buffer.from(csv, 'utf8'), '恳谈会记录.csv');
    expect(first).to.include({ status: 'done', total: 6, done: 6, created: 3, failed: 3, percent: 100 });
    expect(first.errors.map((e: { row: number }) => e.row)).to.deep.equal([4, 5, 7]);
    expect(first.errors[0].message).to.contain('统一社会信用代码无效');
    expect(first.errors[1].message).to.contain('内容不能为空');
    expect(first.errors[2].message).to.contain('紧急程度无效');
    const issue = await t.models.Issue.findOne({ channel: 'meeting', externalId: 'MEET-2026-02' }).lean();
    expect(String(issue?.enterpriseId)).to.equal(String(b._id));
    const filed = await t.models.Issue.countDocuments({ channel: 'meeting' });
    expect(filed).to.equal(3);

    const again = await importAndWait(t, Buffer.from(csv, 'utf8'), '恳谈会记录（重复）.csv');
    expect(again).to.include({ status: 'done', created: 0, duplicates: 3, failed: 3 });
    expect(await t.models.Issue.countDocuments({ channel: 'meeting' })).to.equal(filed);
  });

  it('a row whose 联系电话 is no contact number is filed, the number kept as text, not as one to call', async () => {
    const [a, b] = await codes(t, 2);
    const csv =
      '统一社会信用代码,联系人,联系电话,内容,外部编号\r\n' +
      `${a.creditCode},王总,8123,申请的研发费用加计扣除备案一直显示待审核,PHONE-1\r\n` +
      `${b.creditCode},李总,0572 2345678,职工子女入学名额申请无人答复,PHONE-2\r\n`;
    const job = await importAndWait(t, Buffer.from(csv, 'utf8'), '恳谈会-电话.csv');
    expect(job).to.include({ status: 'done', total: 2, created: 2, failed: 0 });
    const contact = async (externalId: string) =>
      (await t.models.Issue.findOne({ channel: 'meeting', externalId }).lean())?.contact;
    expect(await contact('PHONE-1')).to.deep.equal({ name: '王总', phoneText: '8123' });
    expect(await contact('PHONE-2')).to.deep.equal({ name: '李总', phone: '0572 2345678' });
  });

  it('reads a GB18030 CSV (Excel on Chinese Windows) with English headers and quoted newlines', async () => {
    const [a] = await codes(t, 1);
    const csv =
      'creditCode,content,title\r\n' + `${a.creditCode},"人才公寓申请\r\n迟迟没有结果",人才住房\r\n`;
    const job = await importAndWait(t, iconv.encode(csv, 'gb18030'), 'visit.csv', 'visit');
    expect(job).to.include({ status: 'done', created: 1, failed: 0 });
    const issue = await t.models.Issue.findOne({ channel: 'visit', title: '人才住房' }).lean();
    expect(issue?.content).to.equal('人才公寓申请\r\n迟迟没有结果');
  });

  it('keeps a title too long for an issue: shortened for the list, whole at the head of the content', async () => {
    const [a] = await codes(t, 1);
    const long = `关于园区企业反映的用工、用地、用电等多方面困难。${'其中用电扩容问题最为突出，企业多次反映未果，'.repeat(12)}`;
    const csv = `creditCode,title,content,externalId\r\n${a.creditCode},${long},请相关部门协调解决,LONG-TITLE-1\r\n`;
    const job = await importAndWait(t, Buffer.from(csv), 'meeting.csv');
    expect(job).to.include({ status: 'done', created: 1, failed: 0 });
    const issue = await t.models.Issue.findOne({ channel: 'meeting', externalId: 'LONG-TITLE-1' }).lean();
    expect(issue?.title).to.equal('关于园区企业反映的用工、用地、用电等多方面困难');
    expect(issue?.content).to.equal(`${long}\n\n请相关部门协调解决`);
  });

  it('a quote inside an unquoted cell is text: its row and every row after it are imported', async () => {
    const [a, b] = await codes(t, 2);
    const csv =
      '统一社会信用代码,内容,外部编号\r\n' +
      `${a.creditCode},窗口工作人员说"材料不全"但不说缺什么,QUOTE-1\r\n` +
      `${b.creditCode},园区道路积水严重，请尽快处理,QUOTE-2\r\n`;
    const job = await importAndWait(t, Buffer.from(csv, 'utf8'), '走访记录-引号.csv', 'visit');
    expect(job).to.include({ status: 'done', total: 2, created: 2, failed: 0 });
    const issue = await t.models.Issue.findOne({ channel: 'visit', externalId: 'QUOTE-1' }).lean();
    expect(issue?.content).to.equal('窗口工作人员说"材料不全"但不说缺什么');
  });

  it('imports an XLSX with a bad row, and re-importing it creates nothing twice', async () => {
    const [a, b] = await codes(t, 2);
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('建议');
    sheet.addRow(['统一社会信用代码', '企业名称', '标题', '内容', '紧急程度']);
    sheet.addRow([a.creditCode, '', '融资', '贷款提款审批流程过长', '一般']);
    sheet.addRow(['', '', '缺企业', '没有企业信息的一行', '']);
    sheet.addRow([b.creditCode, '', '税费', { richText: [{ text: '出口' }, { text: '退税慢' }] }, 'urgent']);
    const data = Buffer.from(await wb.xlsx.writeBuffer());
    const job = await importAndWait(t, data, '代表建议.xlsx', 'deputy');
    expect(job).to.include({ status: 'done', total: 3, created: 2, failed: 1 });
    expect(job.errors).to.deep.equal([{ row: 3, message: '统一社会信用代码和企业名称至少填写一项' }]);
    const rich = await t.models.Issue.findOne({ channel: 'deputy', title: '税费' }).lean();
    expect(rich?.content).to.equal('出口退税慢');
    expect(rich?.urgency).to.equal('urgent');
    const again = await importAndWait(t, data, '代表建议.xlsx', 'deputy');
    expect(again).to.include({ created: 0, duplicates: 2 });
    expect(await t.models.Issue.countDocuments({ channel: 'deputy' })).to.equal(2);
  });

  it('refuses files that are not what their name says (415), other types, bad channels (400), empty and oversized files', async () => {
    const xlsx = Buffer.from(await new ExcelJS.Workbook().xlsx.writeBuffer());
    expectError(await upload(t, 'clerk', xlsx, 'records.csv'), 415, 'file_type_mismatch');
    expectError(
      await upload(t, 'clerk', Buffer.from('a,b\n1,2\n'), 'records.xlsx'),
      415,
      'file_type_mismatch',
    );
    expectError(await upload(t, 'clerk', Buffer.from('a\u0000b'), 'records.csv'), 415, 'file_type_mismatch');
    expectError(await upload(t, 'clerk', Buffer.from('x'), 'records.txt'), 415, 'unsupported_file');
    expectError(
      await upload(t, 'clerk', Buffer.from('content\n1\n'), 'a.csv', 'hotline12345'),
      400,
      'invalid_channel',
    );
    expectError(await upload(t, 'clerk', Buffer.alloc(0), 'a.csv'), 400, 'empty_file');
    const big = Buffer.alloc(20 * 1024 * 1024 + 10, 0x61);
    expectError(await upload(t, 'clerk', big, 'big.csv'), 413, 'file_too_large');
    expectError(
      await request(t.app)
        .post(URL)
        .set(await t.auth('clerk'))
        .send({ channel: 'meeting' }),
      415,
      'multipart_required',
    );
    const leftovers = await t.conn.db!.collection('imports.files').countDocuments({});
    const jobs = await t.models.ImportJob.countDocuments({});
    expect(leftovers, 'refused uploads leave no file behind').to.equal(jobs);
  });

  it('a headerless or unreadable file fails the job with a reason', async () => {
    const noContent = await importAndWait(t, Buffer.from('foo,bar\n1,2\n'), 'x.csv');
    expect(noContent.status).to.equal('failed');
    expect(noContent.failure).to.contain('内容');
    const broken = Buffer.concat([Buffer.from('504b0304', 'hex'), Buffer.alloc(100, 7)]);
    const bad = await importAndWait(t, broken, 'x.xlsx');
    expect(bad).to.include({ status: 'failed' });
    expect(bad.failure).to.contain('XLSX');
  });

  it('refuses a zip bomb (an XLSX unpacking past 100 MB) at upload with 413; one that lies about its size fails its job at once', async () => {
    // No timing here (the machine is shared: a 3 s bound failed under load); that the upload is refused by its
    // directory and the liar by its inflated sizes, before exceljs parses anything, is what their answers say.
    const bomb = xlsxBomb(101 * 1024 * 1024);
    const res = await upload(t, 'clerk', bomb, 'bomb.xlsx');
    expectError(res, 413, 'file_too_large');
    expect(res.body.error.message).to.contain('解压后超过100MB');

    const lie = await importAndWait(t, xlsxBomb(60 * 1024 * 1024, { lie: true }), 'lie.xlsx');
    expect(lie).to.include({ status: 'failed', done: 0 });
    expect(lie.failure).to.contain('文件损坏或不是 Excel 工作簿');
  });

  it('fails the job of an XLSX with more rows than a sheet may have, saying so', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Sheet1');
    ws.addRow(['企业名称', '内容']);
    for (let i = 0; i < 50_000; i++) ws.addRow([null, null, i]); // rows refused one by one, cheaply
    const job = await importAndWait(t, Buffer.from(await wb.xlsx.writeBuffer()), 'rows.xlsx');
    expect(job).to.include({ status: 'failed' });
    expect(job.failure).to.contain('超过50000行');
  });

  it('only centre staff and admins import (403), staff log in (401), unknown jobs 404, templates download', async () => {
    expectError(await upload(t, 'handler-city-drc', Buffer.from('content\n1\n'), 'a.csv'), 403, 'forbidden');
    expectError(
      await request(t.app).post(URL).attach('file', Buffer.from('a'), 'a.csv'),
      401,
      'unauthorized',
    );
    expectError(
      await request(t.app)
        .get(`${URL}/0123456789abcdef01234567`)
        .set(await t.auth('clerk')),
      404,
      'not_found',
    );
    expectError(
      await request(t.app)
        .get(`${URL}/nope`)
        .set(await t.auth('clerk')),
      400,
      'invalid_id',
    );
    const csv = await request(t.app)
      .get(`${URL}/template.csv`)
      .set(await t.auth('clerk'));
    expect(csv.status).to.equal(200);
    expect(csv.headers['content-disposition']).to.contain('import-template.csv');
    expect(csv.text.replace(/^\uFEFF/, '').split('\r\n')[0]).to.equal(
      '统一社会信用代码,企业名称,联系人,联系电话,标题,内容,紧急程度,外部编号',
    );
    const tpl = await request(t.app)
      .get(`${URL}/template.xlsx`)
      .set(await t.auth('admin'))
      .buffer(true)
      .parse(binary);
    const wb = new ExcelJS.Workbook();
    const bytes = tpl.body as Buffer;
    await wb.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
    expect(wb.worksheets[0].getRow(1).getCell(6).value).to.equal('内容');
    // The template itself imports cleanly (its example row names an enterprise that may not exist).
    const job = await importAndWait(t, tpl.body as Buffer, 'import-template.xlsx');
    expect(job.status).to.equal('done');
    expect(job.total).to.equal(1);
    // Its example contact is no one's mobile: the enterprise it registers has none to text.
    const example = await t.models.Issue.findOne({ externalId: 'HY-2026-001' }).lean();
    expect(example?.contact?.phone).to.equal('0572-0000000');
    const registered = await t.models.Enterprise.findById(example!.enterpriseId).lean();
    expect(registered?.mobile ?? null).to.equal(null);
  });

  it('within one file: rows naming one unknown enterprise register it once; a retyped row of the same enterprise merges into the first', async () => {
    const [a] = await codes(t, 1);
    const unknown = '湖州导入测试新材料有限公司';
    const lines = ['企业名称,统一社会信用代码,内容,外部编号'];
    for (let i = 0; i < 5; i++)
      lines.push(`${unknown},,"第${i}件：新厂房${i * 37}号楼的消防验收${i}次未通过",UNK-${i}`);
    const same = '污水管网接入申请两个月无人答复，企业无法投产，请尽快协调';
    lines.push(`,${a.creditCode},${same},DUP-1`, `,${a.creditCode},${same}。,DUP-2`);
    const job = await importAndWait(t, Buffer.from(lines.join('\r\n'), 'utf8'), '同名企业.csv', 'visit');
    expect(job).to.include({ status: 'done', total: 7, created: 6, merged: 1, failed: 0 });
    const registered = await t.models.Enterprise.find({ name: unknown }).lean();
    expect(registered).to.have.length(1);
    expect(registered[0].provisional).to.equal(true);
    expect(
      await t.models.Issue.countDocuments({ channel: 'visit', enterpriseId: registered[0]._id }),
    ).to.equal(5);
    const master = await t.models.Issue.findOne({ channel: 'visit', externalId: 'DUP-1' }).lean();
    expect(master?.sources?.map((src) => src.externalId)).to.deep.equal(['DUP-2']);
    expect(await t.models.Issue.countDocuments({ externalId: 'DUP-2' })).to.equal(0);
  });

  it("within one batch of many enterprises: each enterprise's rows in file order (a retyped row merges into its first), the others filed", async () => {
    // More enterprises than start together (acceptInboundBatch starts them a slice at a time), each with a
    // complaint, the same complaint retyped, and another problem.
    const firms = await codes(t, 40);
    expect(firms).to.have.length(40);
    const lines = ['统一社会信用代码,内容,外部编号'];
    firms.forEach((f, i) => {
      const text = `道路施工挖断了通往${i + 1}号车间的供水管，已停水三天，请协调尽快抢修`;
      lines.push(`${f.creditCode},${text},MANY-${i}-A`);
      lines.push(`${f.creditCode},${text}。,MANY-${i}-B`);
      lines.push(`${f.creditCode},${i + 1}号仓库新建项目的环评批复迟迟未下，设备已到厂无法安装,MANY-${i}-C`);
    });
    const job = await importAndWait(t, Buffer.from(lines.join('\r\n'), 'utf8'), '多企业.csv', 'visit');
    expect(job).to.include({ status: 'done', total: 120, created: 80, merged: 40, failed: 0 });
    const filed = await t.models.Issue.find(
      { externalId: { $regex: '^MANY-' } },
      { externalId: 1, sources: 1, enterpriseId: 1 },
    ).lean();
    expect(filed.map((i) => i.externalId).sort()).to.deep.equal(
      firms.flatMap((_, i) => [`MANY-${i}-A`, `MANY-${i}-C`]).sort(),
    );
    for (const issue of filed) {
      const copies = (issue.sources ?? []).map((src) => src.externalId);
      expect(copies, issue.externalId!).to.deep.equal(
        issue.externalId!.endsWith('-A') ? [issue.externalId!.replace(/-A$/, '-B')] : [],
      );
    }
  });

  it('says which row became which issue number (created, merged, duplicate, failed), and leaves the rows out while polling with ?rows=0', async () => {
    const [a, b] = await codes(t, 2);
    const same = '厂区门口道路积水严重，雨天货车无法进出，已影响正常发货，请协调市政部门尽快疏通排水';
    const csv =
      '统一社会信用代码,内容,外部编号\r\n' +
      `${a.creditCode},${same},ROW-1\r\n` +
      `${b.creditCode},,ROW-2\r\n` +
      `${a.creditCode},${same}。,ROW-3\r\n` +
      `${b.creditCode},天然气接入报装三个月没有进展,ROW-4\r\n`;
    const job = await importAndWait(t, Buffer.from(csv, 'utf8'), '行号.csv', 'visit');
    expect(job).to.include({ status: 'done', created: 2, merged: 1, failed: 1 });
    const byExternal = async (externalId: string) =>
      t.models.Issue.findOne({ channel: 'visit', externalId }, { number: 1 }).lean();
    const first = (await byExternal('ROW-1'))!;
    const fourth = (await byExternal('ROW-4'))!;
    expect(job.rows).to.deep.equal([
      { row: 2, status: 'created', number: first.number, issueId: String(first._id) },
      { row: 3, status: 'failed', reason: '内容不能为空' },
      { row: 4, status: 'merged', number: first.number, issueId: String(first._id) },
      { row: 5, status: 'created', number: fourth.number, issueId: String(fourth._id) },
    ]);

    const again = await importAndWait(t, Buffer.from(csv, 'utf8'), '行号（重复）.csv', 'visit');
    expect(again.rows.map((r: { status: string; number?: string }) => [r.status, r.number])).to.deep.equal([
      ['duplicate', first.number],
      ['failed', undefined],
      ['duplicate', first.number],
      ['duplicate', fourth.number],
    ]);
    // A row edited under its external id is another message: that row is refused, the file's others answered.
    const edited = csv.replace('天然气接入报装三个月没有进展', '天然气接入报装四个月没有进展');
    const third = await importAndWait(t, Buffer.from(edited, 'utf8'), '行号（改过）.csv', 'visit');
    expect(third.rows.map((r: { status: string; number?: string }) => [r.status, r.number])).to.deep.equal([
      ['duplicate', first.number],
      ['failed', undefined],
      ['duplicate', first.number],
      ['failed', undefined],
    ]);
    expect(third.rows[3].reason).to.equal('该外部编号已用于另一条内容不同的消息，请核对编号后重新发送');
    const polled = await request(t.app)
      .get(`${URL}/${again.id as string}?rows=0`)
      .set(await t.auth('clerk'));
    expect(polled.body).to.include({ status: 'done', duplicates: 3 });
    expect(polled.body).not.to.have.property('rows');
  });
});

// 批量导入问题 in real Chromium: a clerk opens it from 新建工单, chooses the channel the records came from, uploads
// a small CSV with one bad row, watches the job finish, and sees the counts, the refused row with its reason,
// and which row became which issue number (each a link to its issue). A unit's handler cannot open the screen.
// Screenshots at desktop and phone size with E2E_SCREENSHOTS=/some/dir.
import { expect } from 'chai';
import { axeFindings, choose, login, snap, useStaffApp } from './staff-app.harness.ts';

describe('staff app: batch import of issues (e2e, Chromium)', function () {
  this.timeout(120_000);
  const t = useStaffApp();

  it('a clerk uploads visit records with a bad row and sees the new issue numbers and the refused row', async () => {
    const [a, b] = t.seed.enterprises;
    const csv =
      '统一社会信用代码,标题,内容,外部编号\r\n' +
      `${a!.creditCode},用地指标,新厂区用地指标申请半年未落实，二期项目无法开工,E2E-VISIT-1\r\n` +
      `${b!.creditCode},缺内容,,E2E-VISIT-2\r\n` +
      `${b!.creditCode},人才公寓,引进的工程师申请人才公寓三个月没有结果,E2E-VISIT-3\r\n`;
    const { page } = await t.open();
    await login(page, t.baseUrl, 'clerk');
    await page.goto(`${t.baseUrl}/issues/new`);
    await page.getByRole('heading', { name: '新建工单' }).waitFor();
    await snap(page, 'issue-create-import-link', false);
    await page.getByRole('link', { name: /批量导入/ }).click();
    await page.getByRole('heading', { name: '批量导入问题' }).waitFor();
    await choose(page, '来源渠道', '走访调研');
    await page.getByLabel('选择文件').setInputFiles({
      name: '走访记录.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv, 'utf8'),
    });
    await page.getByRole('button', { name: '开始导入' }).click();
    await page.getByText('导入完成，共 3 行').waitFor();
    const summary = await page.locator('.summary').textContent();
    expect(summary?.replace(/\s+/g, '')).to.contain('新建2，合并0，重复0，失败1');

    const failed = page.getByLabel('导入失败的行');
    await failed.locator('tbody tr').first().waitFor();
    expect(
      (await failed.locator('tbody tr').allTextContents()).map((r) => r.replace(/\s+/g, '')),
    ).to.deep.equal(['3内容不能为空']);

    const issues = await t.models.Issue.find({ channel: 'visit' }, { number: 1, externalId: 1 })
      .sort({ externalId: 1 })
      .lean();
    expect(issues.map((i) => i.externalId)).to.deep.equal(['E2E-VISIT-1', 'E2E-VISIT-3']);
    const filed = page.getByLabel('导入的工单', { exact: true });
    await filed.getByRole('link', { name: issues[1]!.number }).waitFor();
    expect(
      (await filed.locator('tbody tr').allTextContents()).map((r) => r.replace(/\s+/g, '')),
    ).to.deep.equal([`2新建${issues[0]!.number}`, `4新建${issues[1]!.number}`]);
    expect(await axeFindings(page)).to.deep.equal([]);
    await snap(page, 'issue-import');

    await filed.getByRole('link', { name: issues[0]!.number }).click();
    await page.waitForURL(`**/issues/${String(issues[0]!._id)}`);
    await page.getByRole('heading', { name: '问题内容' }).waitFor();
    await page.context().close();
  });

  it('is not offered to a unit’s handler', async () => {
    const { page } = await t.open();
    await login(page, t.baseUrl, 'handler-city-econ');
    await page.goto(`${t.baseUrl}/issues/import`);
    await page.waitForURL((url) => url.pathname !== '/issues/import');
    expect(await page.getByRole('heading', { name: '批量导入问题' }).count()).to.equal(0);
    await page.context().close();
  });
});

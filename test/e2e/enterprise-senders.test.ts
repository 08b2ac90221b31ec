// 已核实的来信人 on the enterprise form, in real Chromium: a clerk opens 编辑企业 and sees the mail address and the
// WeChat follower the centre accepted for the enterprise (the follower as 微信用户 and its openid's last 4
// characters, never the whole id), who accepted the address and when, and one accepted before that was kept;
// 移除 asks for a reason, and the address is gone from the list and from the enterprise. The director, who
// accepts senders on 待确认企业 but has no 编辑, opens them from 更多 → 已核实的来信人 and takes one back too.
// No axe findings.
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { axeFindings, login, snap, useStaffApp } from './staff-app.harness.ts';

describe('staff app: an enterprise’s accepted senders (e2e, Chromium)', function () {
  this.timeout(120_000);
  const t = useStaffApp();
  let session: { context: BrowserContext; page: Page } | undefined;
  after(async () => session?.context.close());

  /** A fresh browser logged in as `username`, on 企业管理 with the enterprise found: the page and its row. */
  async function rowOf(username: string, e: { name: string; creditCode: string }) {
    await session?.context.close();
    session = await t.open();
    const page = session.page;
    await login(page, t.baseUrl, username);
    await page.goto(`${t.baseUrl}/enterprises`);
    await page.getByLabel('企业名称或信用代码').fill(e.creditCode);
    await page.getByRole('button', { name: '查询' }).click();
    const row = page.getByRole('region', { name: '企业列表' }).getByRole('row', { name: new RegExp(e.name) });
    return { page, row };
  }

  it('lists them on 编辑企业 and removes one with a reason', async () => {
    const e = t.seed.enterprises[1]!;
    const mail = 'caiwu@senders-e2e.cn';
    const openid = 'oE2E_accepted_follower_7c3f';
    await t.models.Enterprise.collection.updateOne({ _id: e._id }, {
      $set: {
        emails: [...(e.emails ?? []), mail],
        wechatOpenids: [openid],
        senderAcceptances: [
          {
            channel: 'email',
            address: mail,
            at: new Date('2026-03-02T02:30:00Z'),
            by: '王分办',
            how: 'merge',
            from: '待确认企业（c***@senders-e2e.cn）',
          },
        ],
      },
    } as never);

    const { page, row } = await rowOf('clerk', e);
    await row.getByRole('button', { name: '编辑' }).click();
    const dialog = page.getByRole('dialog', { name: '编辑企业' });
    const senders = dialog.getByRole('region', { name: '已核实的来信人' });
    const items = senders.getByRole('listitem');
    await items.first().waitFor();
    expect(await items.allTextContents()).to.deep.equal([
      `${mail}2026-03-02 10:30 王分办合并待确认企业「待确认企业（c***@senders-e2e.cn）」时核实移除`,
      '微信用户（尾号 7c3f）核实记录未保存（早于本功能）移除',
    ]);
    expect(await page.content()).to.not.contain(openid);
    expect(await axeFindings(page)).to.deep.equal([]);
    await snap(page, '36-enterprise-senders', false);

    await senders.getByRole('button', { name: `移除 ${mail}` }).click();
    const ask = page.getByRole('dialog', { name: '移除已核实的来信人' });
    expect(await ask.textContent()).to.contain('不再收到企业码链接');
    await ask.getByRole('button', { name: '移除' }).click();
    await ask.getByText('请填写移除理由').waitFor();
    expect(await axeFindings(page)).to.deep.equal([]);
    await ask.locator('input').fill('该员工已离职');
    await ask.getByRole('button', { name: '移除' }).click();
    await page.getByText(`已移除：${mail}`).waitFor();
    await senders.getByText(mail).waitFor({ state: 'detached' });
    expect(await items.allTextContents()).to.have.length(1);
    const stored = await t.models.Enterprise.findById(e._id).lean();
    expect(stored?.emails ?? []).to.not.include(mail);
    expect(stored?.wechatOpenids).to.deep.equal([openid]);
    const [audit] = await t.models.Audit.find({
      path: `/enterprises/${String(e._id)}/senders/remove`,
    }).lean();
    expect(JSON.parse(audit!.details)).to.deep.equal({
      channel: 'email',
      address: mail,
      reason: '该员工已离职',
    });
    expect(await axeFindings(page)).to.deep.equal([]);
  });

  it('lets the director, who has no 编辑, open them from 更多 and take one back', async () => {
    const e = t.seed.enterprises[2]!;
    const mail = 'chuna@senders-director-e2e.cn';
    await t.models.Enterprise.collection.updateOne({ _id: e._id }, {
      $set: {
        emails: [...(e.emails ?? []), mail],
        senderAcceptances: [
          {
            channel: 'email',
            address: mail,
            at: new Date('2026-03-03T01:00:00Z'),
            by: '李主任',
            how: 'confirm',
            from: '待确认企业（c***@senders-director-e2e.cn）',
          },
        ],
      },
    } as never);

    const { page, row } = await rowOf('director', e);
    expect(await row.getByRole('button', { name: '编辑' }).count()).to.equal(0);
    await row.getByRole('button', { name: `${e.name}的更多操作` }).click();
    await page.getByRole('menuitem', { name: '已核实的来信人' }).click();
    const dialog = page.getByRole('dialog', { name: `${e.name} · 已核实的来信人` });
    const items = dialog.getByRole('listitem');
    await items.first().waitFor();
    expect(await items.allTextContents()).to.deep.equal([
      `${mail}2026-03-03 09:00 李主任确认登记待确认企业「待确认企业（c***@senders-director-e2e.cn）」时核实移除`,
    ]);
    expect(await axeFindings(page)).to.deep.equal([]);

    await dialog.getByRole('button', { name: `移除 ${mail}` }).click();
    const ask = page.getByRole('dialog', { name: '移除已核实的来信人' });
    await ask.locator('input').fill('核实为其他企业员工');
    await ask.getByRole('button', { name: '移除' }).click();
    await page.getByText(`已移除：${mail}`).waitFor();
    await dialog.getByText('（无）').waitFor();
    const stored = await t.models.Enterprise.findById(e._id).lean();
    expect(stored?.emails ?? []).to.not.include(mail);
  });
});

// The 分类模型 tab in real Chromium: before any model it says the keyword rules classify (and, while the first
// start trains, that a training is running, until it ends); with a model it shows the version, how it was
// trained and its held-out scores against issue 7's bars and the confusion matrix; the admin retrains after
// confirming and sees the version go up, or the server's message when training fails; staff other than
// admins never reach the tab. Screenshots at desktop and phone size with E2E_SCREENSHOTS=/some/dir.
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { axeFindings, login, snap, useStaffApp } from './staff-app.harness.ts';

const pct = (x: number) => `${(Math.round(x * 1000) / 10).toFixed(1)}%`;

describe('staff app: the classification model tab (e2e, Chromium)', function () {
  this.timeout(120_000);
  const t = useStaffApp();
  let session: { context: BrowserContext; page: Page };
  const page = () => session.page;
  const panel = () => page().getByRole('tabpanel', { name: '分类模型' });

  beforeEach(async () => {
    session ??= await t.open();
  });
  afterEach(async function () {
    const dir = process.env.E2E_SCREENSHOTS;
    if (dir && this.currentTest?.state === 'failed')
      await page().screenshot({ path: `${dir}/failed-text-model.png`, fullPage: true });
  });

  it('says the keyword rules classify before any model, and watches the first training until it ends', async () => {
    // As on a first start: the server is training and has no model yet.
    const firstStart = (route: { fulfill(r: object): Promise<void> }) =>
      route.fulfill({ json: { active: null, training: true, threshold: 0.7 } });
    await page().route('**/api/classify/model', firstStart);
    await login(page(), t.baseUrl, 'admin');
    await page().getByRole('tab', { name: '分类模型', exact: true }).click();
    await panel().getByText('系统首次启动，正在训练第一个模型').waitFor();
    expect(await panel().getByTestId('training-status').textContent()).to.contain('正在训练新模型');
    expect(await panel().getByRole('button', { name: '训练中' }).isDisabled()).to.equal(true);
    await snap(page(), '24-admin-model-first-start', false);

    // The training "ends" without a model (the real server here never trained): the page notices on its own.
    await page().unroute('**/api/classify/model', firstStart);
    await panel().getByText('尚无分类模型，目前按关键词规则分类').waitFor({ timeout: 15_000 });
    expect(await panel().getByRole('button', { name: '重新训练' }).isEnabled()).to.equal(true);
    expect(await axeFindings(page())).to.deep.equal([]);
  });

  it('shows the model, its scores against the bars and the confusion matrix, and retrains after confirming', async () => {
    const first = (await t.apiAs('admin', 'POST', '/api/classify/retrain')).active;
    expect(first.version).to.equal(1);
    await page().goto(`${t.baseUrl}/admin/model`);
    const facts = panel().getByTestId('model-facts');
    await facts.waitFor();
    const text = (await facts.textContent())!;
    expect(text).to.contain('v1').and.contain('手动（系统管理员）').and.contain('语料 1,645 条');
    for (const [key, label] of [
      ['categoryAccuracy', '类别准确率'],
      ['urgencyAccuracy', '紧急程度准确率'],
      ['coverage', '置信阈值以上占比'],
      ['confidentAccuracy', '其中准确率'],
    ]) {
      const tile = panel().getByTestId(`score-${key}`);
      expect(await tile.textContent())
        .to.contain(label)
        .and.contain(pct(first.scores[key]))
        .and.match(/达标|未达标/);
    }
    expect(await panel().getByTestId('score-confidentAccuracy').textContent()).to.contain('要求 ≥97%');
    const matrix = panel().getByTestId('confusion-matrix');
    expect(await matrix.locator('tbody tr').count()).to.equal(12);
    const land = matrix.getByRole('row', { name: /^用地厂房/ });
    expect(await land.locator('td.diag').textContent()).to.contain(String(first.scores.confusion.land.land));
    expect(await axeFindings(page())).to.deep.equal([]);
    await snap(page(), '25-admin-model');

    await panel().getByRole('button', { name: '重新训练' }).click();
    const confirm = page().getByRole('dialog', { name: '重新训练分类模型' });
    expect(await confirm.textContent()).to.contain('人工分类');
    await confirm.getByRole('button', { name: '开始训练' }).click();
    await panel().getByRole('button', { name: '训练中' }).waitFor();
    await panel().getByText('新模型 v2 已启用').waitFor({ timeout: 60_000 });
    expect(await facts.textContent())
      .to.contain('v2')
      .and.contain('手动（系统管理员）');
    expect(await panel().getByRole('button', { name: '重新训练' }).isEnabled()).to.equal(true);
    const stored = await t.models.TextModel.findOne({ active: true }).lean();
    expect(stored).to.include({ version: 2, trigger: 'manual' });
    await snap(page(), '26-admin-model-retrained', false);

    // 历史版本: both versions side by side; v1 is put back in use after confirming.
    const versions = panel().getByRole('region', { name: '历史版本' });
    await versions.getByRole('row', { name: /v2.*使用中/ }).waitFor();
    await versions.getByRole('button', { name: '启用 v1' }).click();
    await page().getByRole('dialog', { name: '启用历史版本' }).getByRole('button', { name: '启用' }).click();
    await page().getByText('已启用 v1').waitFor();
    await versions.getByRole('row', { name: /v1.*使用中/ }).waitFor();
    expect(await facts.textContent()).to.contain('v1');
    expect((await t.models.TextModel.findOne({ active: true }).lean())?.version).to.equal(1);
    expect(await axeFindings(page())).to.deep.equal([]);
  });

  it('shows the server’s message when training fails', async () => {
    await page().route('**/api/classify/retrain', (route) =>
      route.fulfill({
        status: 422,
        json: { error: { code: 'training_failed', message: '模型训练失败，请检查训练数据后重试' } },
      }),
    );
    await panel().getByRole('button', { name: '重新训练' }).click();
    await page()
      .getByRole('dialog', { name: '重新训练分类模型' })
      .getByRole('button', { name: '开始训练' })
      .click();
    await panel().getByRole('alert').filter({ hasText: '模型训练失败，请检查训练数据后重试' }).waitFor();
    // The model in use is unchanged.
    expect(await panel().getByTestId('model-facts').textContent()).to.contain('v1');
    await page().unrouteAll();
    await page().getByRole('button', { name: '退出' }).click();
    await page().getByRole('heading', { name: '登录' }).waitFor();
  });

  it('keeps the tab from staff other than admins', async () => {
    await login(page(), t.baseUrl, 'dispatcher');
    await page().goto(`${t.baseUrl}/admin/model`);
    await page().waitForURL((url) => !url.pathname.startsWith('/admin'));
    expect(await page().getByRole('tab', { name: '分类模型' }).count()).to.equal(0);
    expect(await page().getByRole('link', { name: '系统管理' }).count()).to.equal(0);
  });
});

// An owner raising on the QR page what one of its open issues already says (issue 7 §2): the app's trained
// text core reads it as a repeat, and the new issue is flagged 可能重复 with that issue for the clerk, never
// merged (the owner may mean a second problem, or be chasing the first), and the page tells the owner which
// issue it may repeat. A different problem from the same owner is neither flagged nor said to be.
import { expect } from 'chai';
import { corpusService } from './corpus-app.ts';
import { browser, pageOf, useQrApp, verifyOwner, type QrTestApp } from './qr-page.harness.ts';

const GAS =
  '公司宿舍楼的燃气管道改造报装申请递交三周了，燃气公司一直没来现场勘察，员工没法开火做饭，请帮忙协调。';
const GAS_AGAIN = '宿舍燃气报装三个星期了燃气公司还没来勘察，员工做不了饭，请帮忙催一下';
const TAX = '出口退税申报三个月了还没有到账，资金周转困难';

describe('QR page: an owner repeating an open issue', function () {
  this.timeout(120_000);
  const t: QrTestApp = useQrApp({
    async classifier(models, clock) {
      const service = corpusService({ models, clock });
      await service.retrain('manual', 'test');
      return service;
    },
  });

  it('flags the repeat for the clerk with the issue it repeats, and tells the owner which', async () => {
    const e = await t.enterprise(0);
    const b = browser(t);
    const csrf = await verifyOwner(t, b, e);
    const submit = async (content: string, submissionId: string) => {
      const res = await b
        .post(`${pageOf(e)}/issues`)
        .type('form')
        .send({ _csrf: csrf, submissionId, title: '', content })
        .expect(303);
      return res.headers.location as string;
    };
    await submit(GAS, 'r'.repeat(24));
    const again = await submit(GAS_AGAIN, 's'.repeat(24));
    const other = await submit(TAX, 'u'.repeat(24));
    const issues = await t.models.Issue.find({ enterpriseId: e._id }).sort({ createdAt: 1 }).lean();
    expect(issues.map((i) => i.content)).to.deep.equal([GAS, GAS_AGAIN, TAX]);
    const [master, repeat, unrelated] = issues;
    expect(repeat.possibleRepeat).to.include({ number: master.number });
    // The clerk decides: the flagged issue waits in 待受理 instead of being dispatched on its own.
    expect(repeat.state).to.equal('received');
    expect(repeat.timeline.map((ev) => (ev.data as { kind?: string } | undefined)?.kind)).to.include(
      'possible_repeat',
    );
    expect(unrelated.possibleRepeat ?? null).to.equal(null);
    const page = await b.get(again).expect(200);
    expect(page.text).to.include(`该问题与您此前反映的 ${master.number} 内容相近`);
    // Waiting for the clerk, it is the centre's to hand on; one dispatched at intake names its unit.
    expect(page.text).to.include('服务中心将尽快交承办单位办理');
    const plain = await b.get(other).expect(200);
    expect(unrelated.state).to.equal('dispatched');
    expect(plain.text).to.include(`问题已提交（编号 ${unrelated.number}），已交${unrelated.unitName}办理。`);
    expect(plain.text).to.not.include('内容相近');
  });
});

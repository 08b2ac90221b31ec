// An approved request on the verified owner's QR page: the unit's reason for asking (延期, 挂起) is an internal
// note and never reaches the enterprise; the enterprise reads that the deadline moved and to when, and the
// approver's explanation only when the approver wrote one for it. Staff keep the reason on their timeline.
import { expect } from 'chai';
import {
  browser,
  handlerOf,
  issueInProgress,
  pageOf,
  staffAction,
  staffIssue,
  useQrApp,
  verifyOwner,
  type QrTestApp,
} from './qr-page.harness.ts';

const SECRET = '企业材料疑似造假';

describe("QR page: approvals keep the unit's reason internal", () => {
  const t: QrTestApp = useQrApp();

  it('an approved extension shows the new deadline, never the reason the unit gave', async () => {
    const e = await t.enterprise(0);
    const id = await issueInProgress(t, e);
    await staffAction(t, await handlerOf(t, id), id, 'request_extension', { workingDays: 3, reason: SECRET });
    const approved = await staffAction(t, 'dispatcher', id, 'approve_extension', {});
    // Staff still read the reason, on the request (internal); the approval itself carries no note.
    const steps = (await staffIssue(t, id)).timeline as { action: string; note?: string; public: boolean }[];
    expect(steps.find((s) => s.action === 'request_extension')).to.include({ note: SECRET, public: false });
    const approval = steps.find((s) => s.action === 'approve_extension')!;
    expect(approval.public).to.equal(true);
    expect(approval.note ?? null).to.equal(null);
    const b = browser(t);
    await verifyOwner(t, b, e);
    const page = await b.get(pageOf(e)).expect(200);
    expect(page.text).to.not.include(SECRET);
    const due = new Date(new Date(approved.deadlines.resolveBy).getTime() + 8 * 3600_000);
    expect(page.text).to.include(`办理期限延长至${due.getUTCMonth() + 1}月${due.getUTCDate()}日`);
  });

  it("the approver's explanation for the enterprise is shown; the suspension's reason is not", async () => {
    const e = await t.enterprise(1);
    const id = await issueInProgress(t, e);
    await staffAction(t, await handlerOf(t, id), id, 'suspend', { reason: SECRET });
    await staffAction(t, 'dispatcher', id, 'approve_suspend', { publicNote: '待企业补齐材料后恢复办理' });
    const b = browser(t);
    await verifyOwner(t, b, e);
    const page = await b.get(pageOf(e)).expect(200);
    expect(page.text).to.not.include(SECRET);
    expect(page.text).to.include('暂停办理：<span class="content">待企业补齐材料后恢复办理</span>');
    // The clock is stopped: the page promises no date until handling resumes (a frozen one would go 已超期).
    expect(page.text).to.include('暂停办理期间不计时，恢复办理后继续计时');
    // The way to send what the unit waits for is open on the card.
    expect(page.text).to.include(`<details id="supplement-${id}" open>`);
    expect(page.text).to.include('本问题暂停办理中。如承办单位需要您补充材料，可在此提交。');
    const paused = (await staffIssue(t, id)).deadlines.resolveBy as string;
    const frozen = new Date(new Date(paused).getTime() + 8 * 3600_000);
    expect(page.text).to.not.include(
      `${frozen.getUTCFullYear()}年${frozen.getUTCMonth() + 1}月${frozen.getUTCDate()}日前`,
    );
  });

  it('an approval stored by an earlier version with the reason copied in stays internal too', async () => {
    const e = await t.enterprise(2);
    const id = await issueInProgress(t, e);
    await t.models.Issue.updateOne(
      { _id: id },
      {
        $push: {
          timeline: {
            at: t.clock.now(),
            actorId: 'x',
            actorName: '分办员',
            actorRole: 'dispatcher',
            action: 'approve_extension',
            fromState: 'in_progress',
            toState: 'in_progress',
            public: true,
            note: SECRET,
            data: { workingDays: 3, resolveBy: t.clock.now() },
          },
        },
      },
    );
    const b = browser(t);
    await verifyOwner(t, b, e);
    const page = await b.get(pageOf(e)).expect(200);
    expect(page.text).to.include('办理期限延长至');
    expect(page.text).to.not.include(SECRET);
  });

  it('a rating staff entered keeps its comment with staff', async () => {
    const e = await t.enterprise(3);
    const id = await issueInProgress(t, e);
    await staffAction(t, await handlerOf(t, id), id, 'reply', { text: '已协调落实。' });
    await staffAction(t, 'dispatcher', id, 'verify');
    await staffAction(t, 'clerk', id, 'rate', { rating: 'bad', comment: '来电人情绪激动，疑似职业索赔' });
    const b = browser(t);
    await verifyOwner(t, b, e);
    const page = await b.get(pageOf(e)).expect(200);
    expect(page.text).to.include('评价');
    expect(page.text).to.not.include('疑似职业索赔');
  });
});

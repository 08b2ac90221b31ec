// The outbox rows of a change, built without a database (server/notify/outbox-drafts.ts draftsOf): a writer who
// is not the enterprise is answered at their own number without the QR link (a bearer credential), the owner's
// registered mobile is told with it, and the same change always gives the same keys (a second writer inserts
// nothing).
import { expect } from 'chai';
import { Types } from 'mongoose';
import type { IssueChange } from '../../../server/commands/issue-deps.ts';
import type { IssueFacts } from '../../../server/notify/notice-recipients.ts';
import { draftsOf, type ChangeInputs } from '../../../server/notify/outbox-drafts.ts';
import { templatesOf } from '../../../server/notify/templates.ts';

const issueId = new Types.ObjectId();
const enterpriseId = new Types.ObjectId();
const settings = { publicBaseUrl: 'https://loop.example' };

function received(phone: string): ChangeInputs {
  const change: IssueChange = {
    issueId: String(issueId),
    number: 'HZ-2026-000001',
    action: 'create',
    fromState: null,
    state: 'received',
    unitId: null,
    coUnitIds: [],
    enterpriseId: String(enterpriseId),
    actorId: 'system',
    at: new Date(0),
    version: 1,
  };
  const facts: IssueFacts = {
    _id: issueId,
    number: 'HZ-2026-000001',
    title: '用电报装',
    state: 'received',
    tier: 'section',
    region: '330502',
    channel: 'sms',
    enterpriseId,
    enterpriseName: '湖州某某有限公司',
    unitId: null,
    unitName: null,
    coUnitIds: [],
    consultation: null,
    deadlines: null,
    contact: { phone },
  };
  return {
    change,
    intents: [{ event: 'enterprise_received', audience: 'enterprise' }],
    facts,
    staff: [],
    templates: templatesOf(undefined),
    enterprise: { _id: enterpriseId, mobile: '13800000000', qrToken: 'tok' },
    now: new Date(0),
  };
}

describe('outbox rows of a change (pure)', () => {
  it('answers a writer who is not the enterprise without the QR link, and tells the owner with it', () => {
    const rows = draftsOf(received('139 0000 0000'), settings);
    expect(rows.map((r) => [r.key, r.recipient.address, r.text])).to.deep.equal([
      [
        `${String(issueId)}:enterprise_received:v1:osms:sms`,
        '13900000000',
        '您反映的问题已受理，编号HZ-2026-000001。可由企业负责人扫描企业码查看进度。',
      ],
      [
        `${String(issueId)}:enterprise_received:v1:e${String(enterpriseId)}:sms`,
        '13800000000',
        '您反映的问题已受理，编号HZ-2026-000001。可扫描企业码查看进度：https://loop.example/e/tok',
      ],
    ]);
    expect(draftsOf(received('139 0000 0000'), settings)).to.deep.equal(rows);
  });

  it('answers the owner writing from the registered mobile once, there, with the link', () => {
    const rows = draftsOf(received('+86 138-0000-0000'), settings);
    expect(rows.map((r) => [r.recipient.address, r.text])).to.deep.equal([
      [
        '13800000000',
        '您反映的问题已受理，编号HZ-2026-000001。可扫描企业码查看进度：https://loop.example/e/tok',
      ],
    ]);
  });
});

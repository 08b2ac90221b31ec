// GET /api/issues/:id/similar within the reader's visibility: a handler or unit head sees the similar issues
// of their own unit (the same enterprise's and other enterprises'), never another unit's; the centre sees all.
import { expect } from 'chai';
import request from 'supertest';
import {
  enterpriseIn,
  handlerOf,
  must,
  postIssue,
  unitByCode,
  unitHeadOf,
  useIssueApp,
  type IssueTestApp,
} from './fixtures.ts';

const TEXT =
  '厂区自本周一起自来水水压严重不足，印染车间无法正常用水，已多次联系水务公司未果，请协调尽快处理。';

async function dispatched(t: IssueTestApp, code: string, enterprise: { id: string }, content: string) {
  // Same category for all, so the other enterprise's issue is in the category group too.
  const res = await postIssue(t, 'dispatcher', {
    enterprise,
    content,
    category: 'utilities',
    urgency: 'normal',
  });
  if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
  const id = res.body.id as string;
  await must(t, 'dispatcher', id, 'dispatch', { unitId: String(unitByCode(t, code)._id) });
  return id;
}

async function similarIds(t: IssueTestApp, as: string, id: string): Promise<string[]> {
  const res = await request(t.app)
    .get(`/api/issues/${id}/similar`)
    .set(await t.auth(as));
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return (res.body.items as { id: string }[]).map((i) => i.id);
}

describe('GET /api/issues/:id/similar (visibility)', () => {
  const t = useIssueApp();
  let subject: string;
  let sameUnitSameEnterprise: string;
  let sameUnitOtherEnterprise: string;
  let otherUnit: string;
  let otherUnitOtherEnterprise: string;

  before(async () => {
    const mine = { id: String(enterpriseIn(t, 'deqing', 0)._id) };
    const theirs = { id: String(enterpriseIn(t, 'deqing', 1)._id) };
    subject = await dispatched(t, 'city-tax', mine, TEXT);
    sameUnitSameEnterprise = await dispatched(t, 'city-tax', mine, `再次反映：${TEXT}`);
    sameUnitOtherEnterprise = await dispatched(t, 'city-tax', theirs, `我司同样：${TEXT}`);
    otherUnit = await dispatched(t, 'city-drc', mine, `第三次反映：${TEXT}`);
    otherUnitOtherEnterprise = await dispatched(t, 'city-drc', theirs, `也反映：${TEXT}`);
  });

  it('a handler and a unit head see their unit’s similar issues, never another unit’s', async () => {
    for (const who of [handlerOf('city-tax'), unitHeadOf('city-tax')]) {
      const ids = await similarIds(t, who, subject);
      expect(ids, who).to.include(sameUnitSameEnterprise);
      expect(ids, who).to.not.include(otherUnit);
      expect(ids, who).to.not.include(otherUnitOtherEnterprise);
    }
  });

  it('the centre sees every unit’s similar issues', async () => {
    const ids = await similarIds(t, 'dispatcher', subject);
    expect(ids).to.include.members([sameUnitSameEnterprise, otherUnit, otherUnitOtherEnterprise]);
  });

  it('a handler sees another enterprise’s similar issue of their unit (same category)', async () => {
    expect(await similarIds(t, handlerOf('city-tax'), subject)).to.include(sameUnitOtherEnterprise);
  });
});

// What the 重新分类 form says saving will do, checked against what the server does (issue-action.command.ts
// reclassifyRoute and the lifecycle's reclassify): a waiting issue is dispatched by its category's routing, an
// unsigned one may move, a signed one keeps its unit and promised date.
import { expect } from 'chai';
import { reclassifyNotice } from '../../../web/src/lib/action-fields.ts';

const issue = (state: string) => ({ state, category: 'finance', urgency: 'normal' });

describe('重新分类 notice (reclassifyNotice)', () => {
  it('a 待受理 issue: it will be dispatched by the new category (or stay when routing is unsure)', () => {
    const text = reclassifyNotice(issue('received'), { urgency: 'urgent' });
    expect(text).to.contain('自动分办');
    expect(text).to.contain('待签收');
    expect(text).to.contain('仍留在待受理');
  });

  it('a 待签收 issue: a new category may move it; a new urgency restarts its deadlines', () => {
    expect(reclassifyNotice(issue('dispatched'), { category: 'tax' })).to.contain('改派');
    const urgency = reclassifyNotice(issue('dispatched'), { category: 'finance', urgency: 'urgent' });
    expect(urgency).to.not.contain('改派至该单位');
    expect(urgency).to.contain('重新计算');
  });

  it('a signed issue keeps its unit and promised date', () => {
    expect(reclassifyNotice(issue('in_progress'), { category: 'tax' })).to.contain(
      '承办单位和承诺办结时限不变',
    );
  });
});

import { expect } from 'chai';
import { ACTION_IDS } from '../../../shared/lifecycle/actions.ts';
import { ACTION_SCHEMAS, firstIssueMessage, issueCreateSchema } from '../../../shared/schemas.ts';

const validCreate = {
  enterprise: { creditCode: '91350100M000100Y43' },
  channel: 'hotline12345',
  content: '  厂房验收迟迟未办理，影响投产  ',
};

describe('schemas', () => {
  describe('issue creation', () => {
    it('accepts a minimal issue and trims its text', () => {
      const parsed = issueCreateSchema.parse(validCreate);
      expect(parsed.content).to.equal('厂房验收迟迟未办理，影响投产');
      expect(parsed.enterprise).to.deep.equal({ creditCode: '91350100M000100Y43' });
    });

    it('upper-cases a lower-case credit code', () => {
      const parsed = issueCreateSchema.parse({
        ...validCreate,
        enterprise: { creditCode: '91110108551385082q' },
      });
      expect(parsed.enterprise).to.deep.equal({ creditCode: '91110108551385082Q' });
    });

    it('accepts an enterprise id instead of a credit code', () => {
      expect(issueCreateSchema.safeParse({ ...validCreate, enterprise: { id: 'ent-1' } }).success).to.equal(
        true,
      );
    });

    it('rejects a credit code with a wrong check character', () => {
      const result = issueCreateSchema.safeParse({
        ...validCreate,
        enterprise: { creditCode: '91350100M000100Y44' },
      });
      expect(result.success).to.equal(false);
    });

    it('rejects an unknown channel, category or urgency with a Chinese message', () => {
      const bad = issueCreateSchema.safeParse({ ...validCreate, channel: 'fax' });
      expect(bad.success).to.equal(false);
      if (!bad.success) expect(firstIssueMessage(bad.error)).to.contain('渠道无效');
      expect(issueCreateSchema.safeParse({ ...validCreate, category: 'weather' }).success).to.equal(false);
      expect(issueCreateSchema.safeParse({ ...validCreate, urgency: 'asap' }).success).to.equal(false);
    });

    it('rejects blank and over-long content', () => {
      const blank = issueCreateSchema.safeParse({ ...validCreate, content: '   ' });
      expect(blank.success).to.equal(false);
      if (!blank.success) expect(firstIssueMessage(blank.error)).to.equal('content: 问题内容不能为空');
      expect(issueCreateSchema.safeParse({ ...validCreate, content: '长'.repeat(10_001) }).success).to.equal(
        false,
      );
    });
  });

  describe('action bodies', () => {
    it('has a schema for every action', () => {
      for (const action of ACTION_IDS) expect(ACTION_SCHEMAS[action], action).to.not.equal(undefined);
    });

    it('requires a reason to return, transfer, reject or reopen', () => {
      for (const action of ['return', 'reject', 'reopen', 'send_back', 'suspend'] as const) {
        expect(ACTION_SCHEMAS[action].safeParse({}).success, action).to.equal(false);
        expect(ACTION_SCHEMAS[action].safeParse({ reason: '不属于本单位职责' }).success, action).to.equal(
          true,
        );
      }
      expect(ACTION_SCHEMAS.transfer.safeParse({ reason: '职责调整' }).success).to.equal(false);
      expect(ACTION_SCHEMAS.transfer.safeParse({ unitId: 'city-nrp', reason: '职责调整' }).success).to.equal(
        true,
      );
    });

    it('asks for a missing reason and says a reason of another type must be text', () => {
      const missing = ACTION_SCHEMAS.reject.safeParse({});
      expect(missing.success).to.equal(false);
      if (!missing.success) expect(firstIssueMessage(missing.error)).to.equal('reason: 请填写理由');
      const number = ACTION_SCHEMAS.reject.safeParse({ reason: 7 });
      if (!number.success) expect(firstIssueMessage(number.error)).to.equal('reason: 理由必须是文本');
      expect(number.success).to.equal(false);
    });

    it('names a missing or blank unit 承办单位, not 编号 (dispatch, transfer, a consultation decision)', () => {
      for (const action of ['dispatch', 'transfer', 'decide'] as const) {
        const missing = ACTION_SCHEMAS[action].safeParse({ reason: '职责调整', workingDays: 3 });
        expect(missing.success, action).to.equal(false);
        if (!missing.success)
          expect(firstIssueMessage(missing.error), action).to.equal('unitId: 请填写承办单位');
        const blank = ACTION_SCHEMAS[action].safeParse({ unitId: ' ', reason: '职责调整', workingDays: 3 });
        if (!blank.success)
          expect(firstIssueMessage(blank.error), action).to.equal('unitId: 承办单位不能为空');
        expect(blank.success, action).to.equal(false);
      }
    });

    it('deduplicates co-units on dispatch', () => {
      const parsed = ACTION_SCHEMAS.dispatch.parse({ unitId: 'city-nrp', coUnitIds: ['wuxing', 'wuxing'] });
      expect(parsed).to.deep.equal({ unitId: 'city-nrp', coUnitIds: ['wuxing'] });
    });

    it('only accepts whole positive working days for extensions and decisions', () => {
      const ext = ACTION_SCHEMAS.request_extension;
      expect(ext.safeParse({ workingDays: 5, reason: '需补充材料' }).success).to.equal(true);
      expect(ext.safeParse({ workingDays: 0, reason: '需补充材料' }).success).to.equal(false);
      expect(ext.safeParse({ workingDays: 2.5, reason: '需补充材料' }).success).to.equal(false);
      expect(ext.safeParse({ workingDays: '5', reason: '需补充材料' }).success).to.equal(false);
      expect(ACTION_SCHEMAS.decide.safeParse({ unitId: 'city-drc', workingDays: 10 }).success).to.equal(true);
    });

    it('takes a note with an explicit public flag', () => {
      expect(ACTION_SCHEMAS.note.safeParse({ text: '已联系企业' }).success).to.equal(false);
      expect(ACTION_SCHEMAS.note.parse({ text: ' 已联系企业 ', public: true })).to.deep.equal({
        text: '已联系企业',
        public: true,
      });
    });

    it('accepts good/bad ratings with an optional five-level detail', () => {
      expect(ACTION_SCHEMAS.rate.safeParse({ rating: 'good', level: 'very_satisfied' }).success).to.equal(
        true,
      );
      expect(ACTION_SCHEMAS.rate.safeParse({ rating: 'excellent' }).success).to.equal(false);
      expect(ACTION_SCHEMAS.callback.safeParse({ reached: false }).success).to.equal(true);
      expect(ACTION_SCHEMAS.verify_rating.safeParse({ reasonable: 'yes' }).success).to.equal(false);
    });

    it('consults only at the director or leader tier with at least one unit', () => {
      expect(ACTION_SCHEMAS.consult.safeParse({ tier: 'director', unitIds: ['city-drc'] }).success).to.equal(
        true,
      );
      expect(ACTION_SCHEMAS.consult.safeParse({ tier: 'section', unitIds: ['city-drc'] }).success).to.equal(
        false,
      );
      expect(ACTION_SCHEMAS.consult.safeParse({ tier: 'leader', unitIds: [] }).success).to.equal(false);
    });
  });
});

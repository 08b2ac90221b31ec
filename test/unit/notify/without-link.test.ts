// A notice to a writer who is not the enterprise (server/notify/notice-text.ts withoutLink): never the QR link,
// and never a request to scan a code they do not hold; the clause says who holds it.
import { expect } from 'chai';
import { withoutLink } from '../../../server/notify/notice-text.ts';
import { DEFAULT_TEMPLATES } from '../../../server/notify/templates.ts';

describe('notify: a notice without the QR link', () => {
  it('every default template with the link says who holds the code, and keeps no link', () => {
    for (const [event, template] of Object.entries(DEFAULT_TEMPLATES)) {
      const text = withoutLink(template);
      expect(text, event).to.not.match(/\{\{\s*link\s*\}\}/);
      if (template.includes('{{link}}')) {
        expect(text, event).to.contain('企业负责人扫描企业码');
        expect(text, event).to.match(/[。！？]$/);
      } else expect(text, event).to.equal(template);
    }
    expect(withoutLink(DEFAULT_TEMPLATES.enterprise_reply)).to.equal(
      '您的问题{{number}}{{redone}}已办理完毕，请由企业负责人扫描企业码查看答复并评价。',
    );
  });

  it('an admin’s wording without 扫描企业码 loses the clause with the link and says who can read more', () => {
    expect(withoutLink('【办结】问题已办结，请评价。查看：{{link}}')).to.equal(
      '【办结】问题已办结，请评价。详情可由企业负责人扫描企业码查看。',
    );
    expect(withoutLink('问题{{number}}已受理，进度见{{link}}')).to.equal(
      '问题{{number}}已受理。详情可由企业负责人扫描企业码查看。',
    );
  });
});

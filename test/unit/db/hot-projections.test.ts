// The reads every intake message, every notification and every QR page make are answered by copying elements
// from the stored bytes: they include top-level fields, or paths inside fields (the QR summary's
// `'deadlines.resolveBy'`), never an exclusion of a path or an operator, which make the database decode each
// issue whole, timeline included (bench/LOG.md, "Whole documents decoded for a few fields"). Such a
// projection added to one of these fails here, not only in a profile.
import { expect } from 'chai';
import { ObjectId } from 'mongodb';
import { compileProjection } from '../../../server/db/embedded/engine/projection.ts';
import { CANDIDATE_FIELDS, REPEAT_FIELDS } from '../../../server/intake/repeat-candidates.ts';
import { INTAKE_ENTERPRISE_FIELDS } from '../../../server/intake/intake-enterprise.ts';
import { NOTIFIER_ENTERPRISE_FIELDS, NOTIFIER_ISSUE_FIELDS } from '../../../server/notify/notifier.ts';
import { batchedWholeRead, enterpriseIssueReads } from '../../../server/routes/public/qr-page.query.ts';

describe('hot reads project top-level fields (answered on the stored bytes)', () => {
  const reads = {
    "one enterprise's repeat candidates": REPEAT_FIELDS,
    "several enterprises' candidates and the e-mail thread": CANDIDATE_FIELDS,
    'the intake enterprise': INTAKE_ENTERPRISE_FIELDS,
    "the notifier's issue": NOTIFIER_ISSUE_FIELDS,
    "the notifier's enterprise": NOTIFIER_ENTERPRISE_FIELDS,
    "the QR summary's issues": enterpriseIssueReads(new ObjectId(), 'summary').whole.options.projection,
    "the QR summary's issues, several enterprises at once": batchedWholeRead([new ObjectId()]).options
      .projection,
    "the QR owner page's issues": enterpriseIssueReads(new ObjectId(), 'owner').whole.options.projection,
  };
  for (const [name, projection] of Object.entries(reads)) {
    it(`${name}: ${Object.keys(projection).length} fields, included`, () => {
      expect(compileProjection(projection)?.raw, Object.keys(projection).join(', ')).to.not.equal(undefined);
    });
  }

  it('an excluded path inside a field is not answered on the bytes (what the cases above guard against)', () => {
    expect(compileProjection({ 'contact.openid': 0 })?.raw).to.equal(undefined);
  });
});

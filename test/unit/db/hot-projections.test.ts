// The reads every intake message and every notification make name top-level fields only: the database then
// answers them by copying elements from the stored bytes, where a path inside a field (`'contact.openid'`)
// makes it decode each issue whole, timeline included (bench/LOG.md, "Whole documents decoded for a few
// fields"). A dotted path added to one of these fails here, not only in a profile.
import { expect } from 'chai';
import { compileProjection } from '../../../server/db/embedded/engine/projection.ts';
import { CANDIDATE_FIELDS, REPEAT_FIELDS } from '../../../server/intake/issue-from-message.ts';
import { INTAKE_ENTERPRISE_FIELDS } from '../../../server/intake/pipeline.ts';
import { NOTIFIER_ENTERPRISE_FIELDS, NOTIFIER_ISSUE_FIELDS } from '../../../server/notify/notifier.ts';

describe('hot reads project top-level fields (answered on the stored bytes)', () => {
  const reads = {
    "one enterprise's repeat candidates": REPEAT_FIELDS,
    "several enterprises' candidates and the e-mail thread": CANDIDATE_FIELDS,
    'the intake enterprise': INTAKE_ENTERPRISE_FIELDS,
    "the notifier's issue": NOTIFIER_ISSUE_FIELDS,
    "the notifier's enterprise": NOTIFIER_ENTERPRISE_FIELDS,
  };
  for (const [name, projection] of Object.entries(reads)) {
    it(`${name}: ${Object.keys(projection).length} fields, none inside another`, () => {
      expect(compileProjection(projection)?.raw, Object.keys(projection).join(', ')).to.not.equal(undefined);
    });
  }

  it('a path inside a field is not answered on the bytes (what the cases above guard against)', () => {
    expect(compileProjection({ number: 1, 'contact.openid': 1 })?.raw).to.equal(undefined);
  });
});

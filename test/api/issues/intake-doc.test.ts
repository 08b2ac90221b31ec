// Intake inserts its document through the driver, past mongoose. What it stores must be exactly what the issue
// schema would have stored: every default present, every id an ObjectId, nothing the schema would reject, so
// every later read, index and update sees the same document as before.
import { expect } from 'chai';
import { Types } from 'mongoose';
import request from 'supertest';
import type { IssueDoc } from '../../../server/models/index.ts';
import { ISSUE_HEAD_FIELDS } from '../../../server/commands/issue-intake.doc.ts';
import { SWEEP_PROJECTION } from '../../../server/jobs/sweep-plan.ts';
import { ROLLUP_PROJECTION } from '../../../server/kpi/kpi-rollup.ts';
import { ISSUE_SUMMARY_FIELDS } from '../../../server/presenters/issue.presenter.ts';
import { enterpriseIssueReads } from '../../../server/routes/public/qr-page.query.ts';
import { bsonShape as shape } from '../../db/bson-shape.ts';
import { enterpriseIn, postIssue, unitByCode, useIssueApp, VAGUE_TEXT } from './fixtures.ts';

describe('intake: the stored document is the one the schema defines', () => {
  const t = useIssueApp();

  async function stored(id: string): Promise<IssueDoc> {
    const raw = await t.models.Issue.collection.findOne<IssueDoc>({ _id: new Types.ObjectId(id) });
    if (!raw) throw new Error('not stored');
    return raw;
  }

  async function expectSchemaShape(raw: IssueDoc): Promise<void> {
    const doc = new t.models.Issue(raw);
    await doc.validate(); // throws on anything the schema would refuse
    expect(shape(raw)).to.deep.equal(shape(doc.toObject()));
  }

  it('an issue that waits in received', async () => {
    const res = await postIssue(t, 'dispatcher', { urgency: 'urgent', content: VAGUE_TEXT });
    expect(res.body.state).to.equal('received');
    const raw = await stored(res.body.id);
    await expectSchemaShape(raw);
    expect(raw).to.include({ unitId: null, deadlines: null, dueAt: null, version: 1 });
    expect(raw).to.not.have.property('externalId');
  });

  it('an issue dispatched at once by a rule with co-units, from a channel with an external id', async () => {
    const admin = await t.auth('admin');
    const lead = unitByCode(t, 'city-drc');
    const co = unitByCode(t, 'deqing-centre');
    const rule = await request(t.app)
      .post('/api/routing-rules')
      .set(admin)
      .send({ category: 'finance', region: 'deqing', unitId: String(lead._id), coUnitIds: [String(co._id)] })
      .expect(201);
    const res = await postIssue(t, 'clerk', {
      channel: 'hotline12345',
      externalId: 'WO-SHAPE-1',
      category: 'finance',
      urgency: 'normal',
      title: '贷款提款受阻',
      enterprise: { creditCode: enterpriseIn(t, 'deqing').creditCode },
    });
    expect(res.body.state).to.equal('dispatched');
    const raw = await stored(res.body.id);
    await expectSchemaShape(raw);
    expect(raw.unitId).to.be.instanceOf(Types.ObjectId);
    expect(String(raw.unitId)).to.equal(String(lead._id));
    expect(raw.coUnitIds.map(String)).to.deep.equal([String(co._id)]);
    expect(raw.coUnitIds[0]).to.be.instanceOf(Types.ObjectId);
    expect(raw.enterpriseId).to.be.instanceOf(Types.ObjectId);
    expect(raw.dueAt).to.be.instanceOf(Date);
    expect(raw.dueAt?.getTime()).to.equal(raw.deadlines?.resolveBy.getTime());
    expect(raw.externalId).to.equal('WO-SHAPE-1');
    expect(raw.timeline.map((e) => e.action)).to.deep.equal(['create', 'dispatch']);
    await request(t.app).delete(`/api/routing-rules/${rule.body.id}`).set(admin).expect(204);
  });

  it('a later action updates the intake document like any other', async () => {
    const res = await postIssue(t, 'clerk', { category: 'land', urgency: 'normal' });
    const sign = await request(t.app)
      .post(`/api/issues/${res.body.id}/actions/sign`)
      .set(await t.auth('handler-deqing-centre'))
      .send({});
    expect(sign.status).to.equal(200);
    await expectSchemaShape(await stored(res.body.id));
  });

  /**
   * The stored fields a list row and the QR summary read: their projections' top-level fields (the summary
   * projects paths inside `deadlines` and `rating`, which the store reads as far as those fields).
   */
  const readFields = () => [
    ...new Set(
      [
        ...Object.keys(ISSUE_SUMMARY_FIELDS),
        ...Object.keys(enterpriseIssueReads(new Types.ObjectId(), 'summary').whole.options.projection),
      ].map((path) => path.split('.')[0]),
    ),
  ];

  it('keeps the timeline last, after every field a list row or the QR page reads, also once signed', async () => {
    // The embedded store unpacks a read only as far as its projection: these reads must stop before the timeline.
    const read = readFields();
    const res = await postIssue(t, 'clerk', { category: 'land', urgency: 'normal' });
    const fresh = Object.keys(await stored(res.body.id));
    expect(fresh.at(-1)).to.equal('timeline');
    expect(read.filter((f) => !fresh.includes(f))).to.deep.equal([]);
    await request(t.app)
      .post(`/api/issues/${res.body.id}/actions/sign`)
      .set(await t.auth('handler-deqing-centre'))
      .send({})
      .expect(200);
    const signed = await stored(res.body.id);
    expect(signed.assigneeId).to.be.a('string');
    expect(Object.keys(signed)).to.deep.equal(fresh);
  });

  it('stores what a list row and the QR page read first, and what the sweep and the KPIs read before the text', async () => {
    // The reads stop at their last projected field: a list row at the head, the sweep and the rollups before
    // the intake text and the classification.
    const res = await postIssue(t, 'clerk', { category: 'land', urgency: 'normal' });
    const fields = Object.keys(await stored(res.body.id));
    expect(fields.slice(0, ISSUE_HEAD_FIELDS.length)).to.deep.equal([...ISSUE_HEAD_FIELDS]);
    const head = new Set<string>(ISSUE_HEAD_FIELDS);
    const listAndQr = readFields();
    expect(listAndQr.filter((f) => !head.has(f))).to.deep.equal([]);
    const text = fields.indexOf('content');
    const late = [...Object.keys(SWEEP_PROJECTION), ...Object.keys(ROLLUP_PROJECTION)].filter(
      (f) => !(fields.indexOf(f) >= 0 && fields.indexOf(f) < text),
    );
    expect(late).to.deep.equal([]);
  });
});

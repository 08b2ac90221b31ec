// The sweep writes its bulk through the driver with stored types built by hand (sweep-write.ts), past
// mongoose's cast. Over an issue's whole escalation (urged, supervised, consulting at the director tier,
// bulletined with the consulted units reminded, up to the leader tier), every update the sweep drafts is applied
// twice to copies of the issue, once as mongoose casts it and once as the sweep now sends it, and the two
// stored documents must be the same (types included) and valid under the schema.
import { expect } from 'chai';
import { Types } from 'mongoose';
import { toCore } from '../../server/commands/issue-store.ts';
import { storedUpdateOf } from '../../server/jobs/sweep-write.ts';
import { draftSteps, hasWrite, planSteps, SWEEP_PROJECTION, updateOf } from '../../server/jobs/sweep-plan.ts';
import type { IssueDoc } from '../../server/models/index.ts';
import { useIssueApp } from '../api/issues/fixtures.ts';
import { bsonShape } from '../db/bson-shape.ts';
import { calendar, china, inProgress, minuteAfter, policy, sweep } from './sweep-helpers.ts';

type Raw = IssueDoc & Record<string, unknown>;

describe('escalation sweep: the bulk written past mongoose stores what mongoose would', function () {
  this.timeout(60_000);
  const t = useIssueApp();
  const ids: string[] = [];
  let copies = 0;
  const setFields = new Set<string>();

  before(async () => {
    t.clock.set(china('2026-02-13 09:00'));
    for (let i = 0; i < 3; i++)
      ids.push((await inProgress(t, `企业反映补贴迟迟未兑现，影响扩产。第${i}家`)).id);
  });

  /** A copy of the issue under a fresh id and number (the number is unique). */
  async function copyOf(raw: Raw): Promise<Types.ObjectId> {
    const _id = new Types.ObjectId();
    copies += 1;
    await t.models.Issue.collection.insertOne({ ...raw, _id, number: `HZ-2026-${880000 + copies}` });
    return _id;
  }

  /** Every draft the sweep makes at `now`, applied both ways to copies; then the real sweep runs. */
  async function compareAt(now: Date): Promise<number> {
    t.clock.set(now);
    const docs = await t.models.Issue.find({ _id: { $in: ids } }, SWEEP_PROJECTION).lean<IssueDoc[]>();
    let compared = 0;
    for (const doc of docs) {
      const draft = draftSteps(doc, planSteps(toCore(doc), now), now, { calendar, policy });
      if (!hasWrite(draft)) continue;
      const stored = storedUpdateOf(draft);
      expect(stored, `a cast-free update for ${Object.keys(draft.set).join(', ')}`).to.not.equal(null);
      Object.keys(draft.set).forEach((k) => setFields.add(k));
      const raw = (await t.models.Issue.collection.findOne({ _id: doc._id })) as Raw;
      const [viaSchema, direct] = [await copyOf(raw), await copyOf(raw)];
      const schemaUpdate = updateOf(draft);
      await t.models.Issue.bulkWrite([
        { updateOne: { ...schemaUpdate, filter: { ...schemaUpdate.filter, _id: viaSchema } } },
      ]);
      await t.models.Issue.collection.bulkWrite([
        { updateOne: { ...stored!, filter: { ...stored!.filter, _id: direct } } },
      ]);
      const [a, b] = await Promise.all(
        [viaSchema, direct].map(async (_id) => {
          const {
            _id: _ignored,
            number: _n,
            ...rest
          } = (await t.models.Issue.collection.findOne({
            _id,
          })) as Raw;
          return rest;
        }),
      );
      expect(b.version, 'the guarded update landed').to.equal(doc.version + 1);
      expect(bsonShape(b)).to.deep.equal(bsonShape(a));
      await new t.models.Issue({ ...b, _id: direct, number: 'HZ-2026-000001' }).validate();
      await t.models.Issue.collection.deleteMany({ _id: { $in: [viaSchema, direct] } });
      compared += 1;
    }
    await sweep(t);
    return compared;
  }

  it('yellow: urged', async () => {
    expect(await compareAt(minuteAfter(china('2026-02-26 17:30')))).to.equal(3);
  });

  it('red: supervised', async () => {
    expect(await compareAt(minuteAfter(china('2026-02-27 17:30')))).to.equal(3);
  });

  it('red + 3 working days: a consultation at the director tier (units consulted by id)', async () => {
    expect(await compareAt(minuteAfter(china('2026-03-03 17:30')))).to.equal(3);
    expect([...setFields]).to.include.members(['consultation', 'consultUnitIds', 'tier', 'state']);
  });

  it('red + 5: bulletined, and the consulted units reminded inside the consultation', async () => {
    expect(await compareAt(minuteAfter(china('2026-03-05 17:30')))).to.equal(3);
  });

  it('an undecided consultation: up to the leader tier', async () => {
    expect(await compareAt(minuteAfter(china('2026-03-10 17:30')))).to.be.at.least(1);
  });

  it('leaves a field with a schema of its own (the deadlines) to mongoose: no stored update', async () => {
    const doc = (await t.models.Issue.findById(ids[0], SWEEP_PROJECTION).lean<IssueDoc>())!;
    const draft = draftSteps(doc, [], t.clock.now(), { calendar, policy });
    expect(storedUpdateOf({ ...draft, set: { ...draft.set, deadlines: doc.deadlines } })).to.equal(null);
    expect(storedUpdateOf({ ...draft, set: { ...draft.set, warning: 'red' } })).to.not.equal(null);
  });
});

// The demo issues: ≥ 300 issues in every state, category, channel and urgency, written by the real commands
// over a simulated past (genuine timelines and numbers), deterministic and idempotent.
import { expect } from 'chai';
import { Types } from 'mongoose';
import request from 'supertest';
import { createSimulatedClock, DAY_MS } from '../../../shared/clock.ts';
import { CATEGORY_IDS, CHANNEL_IDS, ISSUE_STATES, URGENCIES } from '../../../shared/states.ts';
import { createModels, ensureIndexes, type IssueDoc, type Models } from '../../../server/models/index.ts';
import { seedDemo } from '../../../server/seed/index.ts';
import {
  candidateNumbers,
  clusterCandidates,
  expectDemoClassCandidates,
} from '../classes/demo-candidates.ts';
import { seedIssues } from '../../../server/seed/issues.seed.ts';
import { VAGUE_TITLE } from '../../../server/seed/issue-texts.seed.ts';
import { openTestDatabase, TEST_HASH, TEST_START, useTestApp } from '../helpers.ts';
import { CATEGORIES } from '../../../config/categories.ts';
import { classifyText } from '../../../server/text/classify-text.ts';
import { issueText } from '../../../server/text/issue-text.ts';
import { normaliseText } from '../../../server/text/segment.ts';
import { deserializeTextModel } from '../../../server/text/text-model.ts';
import { runTraining } from '../../../server/text/training.ts';
import { findCues, ruleUrgency } from '../../../server/text/urgency-rules.ts';

async function distinct(models: Models, field: string): Promise<string[]> {
  return (await models.Issue.distinct(field)).map(String).sort();
}

describe('demo issue seed', function () {
  this.timeout(180_000);
  const t = useTestApp({ seed: false });
  let issues: IssueDoc[];

  before(async function () {
    this.timeout(180_000);
    await seedDemo(t.models, t.clock, { hashParams: TEST_HASH });
    issues = await t.models.Issue.find().sort({ number: 1 }).lean<IssueDoc[]>();
  });

  it('creates at least 300 issues in every state, category, channel and urgency', async () => {
    expect(issues.length).to.be.at.least(300);
    expect(await distinct(t.models, 'state')).to.deep.equal([...ISSUE_STATES].sort());
    expect(await distinct(t.models, 'category')).to.deep.equal([...CATEGORY_IDS].sort());
    expect(await distinct(t.models, 'channel')).to.deep.equal([...CHANNEL_IDS].sort());
    expect(await distinct(t.models, 'urgency')).to.deep.equal([...URGENCIES].sort());
  });

  it('states an urgency its text bears out: people-labelled, the issues train a model that still reads 停机 as 特急', () => {
    // Every seeded issue is a person's classification (staff gave category and urgency), so it joins the
    // training data: a stoppage or a deadline the text states is never labelled below what the rules read.
    const stated = issues.map((i) => ruleUrgency(findCues(normaliseText(issueText(i)))));
    const below = issues.filter((i, k) => stated[k] !== 'normal' && i.urgency !== stated[k]);
    expect(below.map((i) => `${i.number} ${i.urgency} ${i.title}`)).to.deep.equal([]);
    expect(stated.filter((u) => u === 'critical').length).to.be.greaterThan(5);
    // Trained as the app trains (corpus plus these labels), the demo's own wording comes out 特急.
    const people = issues
      .filter((i) => i.classification?.human)
      .map((i) => ({ text: issueText(i), category: i.category, urgency: i.urgency }));
    expect(people.length).to.be.greaterThan(200);
    const keywords = CATEGORIES.map((c) => ({ id: c.id, keywords: [...c.keywords] }));
    const trained = runTraining({ people, keywords, threshold: 0.6 });
    const model = deserializeTextModel(trained.model);
    for (const text of ['园区停电，生产线停机', '园区天然气管道检修没有提前通知，锅炉停机，整条生产线停产。'])
      expect(classifyText(model, keywords, text).urgency, text).to.equal('critical');
  });

  it('includes overdue, good, bad, redone, appealed, merged, rejected and consulting issues', () => {
    const some = (pred: (i: IssueDoc) => boolean) => issues.filter(pred).length;
    expect(some((i) => i.warning === 'overdue')).to.be.greaterThan(5);
    expect(some((i) => i.rating?.rating === 'good')).to.be.greaterThan(50);
    expect(some((i) => i.rating?.rating === 'bad' || i.ratingHistory.length > 0)).to.be.greaterThan(5);
    expect(some((i) => i.redoCount > 0)).to.be.greaterThan(3);
    expect(some((i) => i.rating?.verification === 'removed')).to.be.greaterThan(0);
    expect(some((i) => i.state === 'merged' && !!i.mergedInto)).to.be.greaterThan(3);
    expect(some((i) => i.state === 'consulting')).to.be.greaterThan(3);
    expect(some((i) => i.extensionCount > 0)).to.be.greaterThan(3);
    expect(some((i) => i.returnCount > 0)).to.be.greaterThan(3);
    expect(some((i) => i.urged)).to.be.greaterThan(3);
  });

  it('writes a genuine past: numbers follow creation time, timelines move forward, nothing in the future', () => {
    const now = t.clock.now().getTime();
    const earliest = now - 121 * DAY_MS;
    for (let k = 1; k < issues.length; k++) {
      expect(issues[k].createdAt.getTime()).to.be.at.least(issues[k - 1].createdAt.getTime());
    }
    for (const issue of issues) {
      expect(issue.createdAt.getTime()).to.be.within(earliest, now);
      expect(issue.timeline[0].action).to.equal('create');
      const times = issue.timeline.map((e) => e.at.getTime());
      expect(times).to.deep.equal([...times].sort((a, b) => a - b));
      expect(times.at(-1)).to.be.at.most(now);
      expect(issue.version).to.be.at.least(1);
    }
  });

  it('names people as the header does (陈志强), never by login name, in timelines and assignees', async () => {
    const users = await t.models.User.find({}, { username: 1, name: 1 }).lean();
    const logins = new Set(users.map((u) => u.username));
    const named = issues.flatMap((i) => [i.assigneeName, ...i.timeline.map((e) => e.actorName)]);
    expect([...new Set(named.filter((n) => !!n && logins.has(n)))]).to.deep.equal([]);
    for (const login of ['dispatcher', 'clerk'])
      expect(named).to.include(users.find((u) => u.username === login)!.name);
    expect(issues.filter((i) => i.assigneeName).length).to.be.greaterThan(50);
  });

  it('answers each seeded problem with a reply about it (发票额度 never reads 款项已拨付)', () => {
    const replies = (title: string) =>
      issues
        .filter((i) => i.title === title)
        .flatMap((i) => i.timeline.filter((e) => e.action === 'reply').map((e) => e.note ?? ''));
    expect(replies('发票额度不够用').length).to.be.greaterThan(0);
    for (const text of replies('发票额度不够用')) expect(text).to.include('发票额度');
    for (const text of replies('园区停车难')) expect(text).to.include('停车');
  });

  it('is idempotent: a second run adds nothing', async () => {
    const again = await seedIssues(t.models, t.clock, { units: [], enterprises: [] });
    expect(again).to.deep.equal({ created: 0, skipped: true });
    await seedDemo(t.models, t.clock, { hashParams: TEST_HASH });
    expect(await t.models.Issue.countDocuments()).to.equal(issues.length);
  });

  it('serves the workbench: the dispatcher lists them, a handler sees only their unit', async () => {
    const all = await request(t.app)
      .get('/api/issues?limit=100')
      .set(await t.auth('dispatcher'))
      .expect(200);
    expect(all.body.items).to.have.length(100);
    expect(all.body.next).to.be.a('string');
    const unit = await t.models.Unit.findOne({ code: 'city-tax' }).lean();
    const mine = await request(t.app)
      .get('/api/issues?limit=100')
      .set(await t.auth('handler-city-tax'))
      .expect(200);
    // Theirs: the unit leads it, shares it (协办) or was consulted on it (issue.policy.ts), and nothing else.
    const ids = mine.body.items.map((i: { id: string }) => new Types.ObjectId(i.id));
    const seen = await t.models.Issue.find(
      { _id: { $in: ids } },
      { unitId: 1, coUnitIds: 1, consultUnitIds: 1 },
    ).lean<Pick<IssueDoc, 'unitId' | 'coUnitIds' | 'consultUnitIds'>[]>();
    expect(seen).to.have.length(mine.body.items.length);
    const involved = (i: (typeof seen)[number]) =>
      [i.unitId, ...(i.coUnitIds ?? []), ...(i.consultUnitIds ?? [])].map(String).includes(String(unit?._id));
    expect(seen.filter((i) => !involved(i))).to.deep.equal([]);
    expect(seen.filter((i) => String(i.unitId) === String(unit?._id)).length).to.be.greaterThan(0);
  });

  it("offers each demo class as a candidate of its own complaints, not of another story's copies", async () => {
    const candidates = await clusterCandidates(t);
    await expectDemoClassCandidates(
      t,
      candidates,
      async (key) =>
        new Set(issues.filter((i) => i.externalId?.startsWith(`class-demo-${key}-`)).map((i) => i.number)),
    );
    // Vague notes (希望约时间面谈) say nothing of a cause: they make no candidate of their own.
    const vague = new Set(issues.filter((i) => i.title === VAGUE_TITLE).map((i) => i.number));
    expect(vague.size).to.be.at.least(3);
    for (const c of candidates) {
      const members = await candidateNumbers(t, c.id);
      const notes = members.filter((n) => vague.has(n)).length;
      expect(notes, `${notes} of ${members.length}`).to.be.below(members.length / 2);
    }
  });

  it('is deterministic: the same seed on another database tells the same stories', async () => {
    const fingerprint = async (models: Models) =>
      (await models.Issue.find().sort({ number: 1 }).lean<IssueDoc[]>()).map(
        (i) => `${i.number} ${i.state} ${i.category} ${i.timeline.map((e) => e.action).join(',')}`,
      );
    const runOnce = async () => {
      const conn = await openTestDatabase();
      const clock = createSimulatedClock(TEST_START);
      const models = createModels(conn, clock);
      await ensureIndexes(models);
      const base = await seedDemo(models, clock, { hashParams: TEST_HASH, issues: false });
      await seedIssues(models, clock, { units: base.units, enterprises: base.enterprises, count: 40 });
      const result = await fingerprint(models);
      await conn.dropDatabase();
      await conn.close();
      return result;
    };
    const [a, b] = [await runOnce(), await runOnce()];
    expect(a).to.have.length.greaterThan(30);
    expect(a).to.deep.equal(b);
  });
});

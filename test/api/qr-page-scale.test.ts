// The QR page at city scale: with thousands of issues stored, most of them finished, a scan reads the
// enterprise's own issues on its index (checked with explain through the driver), never the finished issues
// of the whole city, and shows every open issue and the latest few finished ones, the older ones a plain link
// away, page by page, for an ordinary enterprise and for a busy one with more issues than one read takes.
import { expect } from 'chai';
import request from 'supertest';
import { TERMINAL_STATES, type IssueState } from '../../shared/states.ts';
import { Types } from 'mongoose';
import type { EnterpriseDoc } from '../../server/models/index.ts';
import {
  batchedWholeRead,
  enterpriseIssueReads,
  FINISHED_PAGE,
  finishedPageRead,
  listEnterpriseIssues,
  MAX_FINISHED,
  RECENT_FINISHED,
  mergedTokenFilter,
  MAX_OPEN,
  WHOLE_READ,
  type IssueRead,
} from '../../server/routes/public/qr-page.query.ts';
import { planStages } from '../db/explain-stages.ts';
import { fixtureIssueDoc } from './kpi-fixture.ts';
import { insertBulkIssues } from './issues/bulk-issues.ts';
import { useIssueApp } from './issues/fixtures.ts';

const CITY_ISSUES = 3000;
const LOWEST_ID = new Types.ObjectId('000000000000000000000001');
const ENTERPRISE_INDEX = 'enterpriseId_1_createdAt_-1__id_-1';
const isFinished = (state: string) => (TERMINAL_STATES as readonly string[]).includes(state);

interface Explained {
  stages: string[];
  indexNames: string[];
  keys: number;
  docs: number;
  returned: number;
}

describe('QR page at city scale', () => {
  const t = useIssueApp();
  /** Issues per enterprise, newest first (the order the page lists them in). */
  const byEnterprise = new Map<string, { number: string; state: string }[]>();

  before(async function () {
    this.timeout(60_000);
    await insertBulkIssues(t, CITY_ISSUES);
    const all = await t.models.Issue.find({}, { number: 1, state: 1, enterpriseId: 1 })
      .sort({ createdAt: -1, _id: -1 })
      .lean();
    for (const i of all) {
      const key = String(i.enterpriseId);
      byEnterprise.set(key, [...(byEnterprise.get(key) ?? []), i]);
    }
    expect(all.filter((i) => isFinished(i.state)).length).to.be.greaterThan(CITY_ISSUES * 0.7);
  });

  /** The busiest enterprise (more issues than one read takes) and one with a handful. */
  function enterprises() {
    const sized = t.data.enterprises.map((e) => ({ e, issues: byEnterprise.get(String(e._id)) ?? [] }));
    const large = sized.find((s) => s.issues.length > WHOLE_READ);
    const small = sized.find((s) => s.issues.length >= 3 && s.issues.length <= 10);
    if (!large || !small) throw new Error('the bulk data lacks a busy or an ordinary enterprise');
    return { large, small };
  }

  async function explain({ filter, options }: IssueRead): Promise<Explained> {
    const plan = await t.conn.db!.collection('issues').find(filter, options).explain('executionStats');
    const stats = plan.executionStats as Record<string, number>;
    const stages = planStages(plan.queryPlanner.winningPlan);
    return {
      stages: stages.map((s) => String(s.stage)),
      indexNames: stages.filter((s) => s.indexName).map((s) => String(s.indexName)),
      keys: stats.totalKeysExamined,
      docs: stats.totalDocsExamined,
      returned: stats.nReturned,
    };
  }

  function expectEnterpriseIndex(e: Explained): void {
    expect(e.stages).to.include('IXSCAN');
    expect(e.stages).to.not.include('COLLSCAN');
    expect(e.stages).to.not.include('SORT');
    expect(e.indexNames).to.deep.equal([ENTERPRISE_INDEX]);
  }

  it('looks an unknown code up among merged codes on their index, reading no enterprise', async () => {
    const filter = mergedTokenFilter('x'.repeat(43));
    const plan = await t.conn.db!.collection('enterprises').find(filter).explain('executionStats');
    const stages = planStages(plan.queryPlanner.winningPlan);
    expect(stages.map((s) => s.stage))
      .to.include('IXSCAN')
      .and.not.include('COLLSCAN');
    expect(stages.filter((s) => s.indexName).map((s) => s.indexName)).to.deep.equal(['mergedQrTokens_1']);
    expect(plan.executionStats).to.include({ totalDocsExamined: 0, nReturned: 0 });
  });

  it('reads an ordinary enterprise whole on its index: keys examined = issues returned', async () => {
    const { small } = enterprises();
    for (const view of ['summary', 'owner'] as const) {
      const e = await explain(enterpriseIssueReads(small.e._id, view).whole);
      expectEnterpriseIndex(e);
      expect(e.returned).to.equal(small.issues.length);
      expect(e.keys).to.equal(small.issues.length);
      expect(e.docs).to.equal(small.issues.length);
    }
  });

  it("bounds a busy enterprise's reads by its own issues, never the city's finished ones", async () => {
    const { large } = enterprises();
    const open = large.issues.filter((i) => !isFinished(i.state)).length;
    const reads = enterpriseIssueReads(large.e._id, 'summary');
    const whole = await explain(reads.whole);
    expectEnterpriseIndex(whole);
    expect(whole.returned).to.equal(WHOLE_READ + 1);
    expect(whole.keys).to.equal(WHOLE_READ + 1);

    const finished = await explain(reads.finished);
    expectEnterpriseIndex(finished);
    expect(finished.returned).to.equal(MAX_FINISHED);
    // Newest first, it stops at the 30th finished issue: only open ones in between are skipped.
    expect(finished.keys).to.be.at.most(MAX_FINISHED + open);

    const unfinished = await explain(reads.open);
    expectEnterpriseIndex(unfinished);
    expect(unfinished.returned).to.equal(open);
    expect(unfinished.keys).to.be.at.most(large.issues.length);
  });

  /** Counts the finds on the issues collection while `fn` runs. */
  async function countingFinds<T>(fn: () => Promise<T>): Promise<{ value: T; finds: number }> {
    const coll = t.models.Issue.collection as unknown as { find: (...a: unknown[]) => unknown };
    const find = coll.find;
    let finds = 0;
    coll.find = function (this: unknown, ...a: unknown[]) {
      finds += 1;
      return find.apply(this, a);
    };
    try {
      return { value: await fn(), finds };
    } finally {
      coll.find = find;
    }
  }

  /** An enterprise with `count` issues, newest first, the k-th in the state `stateOf(k)`. */
  async function busyEnterprise(
    count: number,
    stateOf: (k: number) => IssueState,
    id = new Types.ObjectId(),
  ) {
    const ent = { _id: id, name: '忙碌企业', creditCode: '', region: 'wuxing' };
    const start = t.clock.now().getTime() - 86_400_000;
    const docs = Array.from({ length: count }, (_, k) =>
      fixtureIssueDoc({
        ent: ent as unknown as EnterpriseDoc,
        unit: null,
        state: stateOf(k),
        createdAt: new Date(start - k * 60_000).toISOString(),
      }),
    );
    await t.models.Issue.collection.insertMany(docs as never[]);
    return { ent, docs };
  }

  const numbersOf = (rows: { number?: unknown }[]) => rows.map((r) => String(r.number));

  it('shares one read among simultaneous scans, each seeing what its own read shows', async () => {
    const { large } = enterprises();
    const others = t.data.enterprises.filter((e) => e !== large.e).slice(0, 11);
    const ids = [large.e._id, ...others.map((e) => e._id), large.e._id];
    const busy = ids.filter((id) => (byEnterprise.get(String(id))?.length ?? 0) > WHOLE_READ).length;
    const alone: string[][] = [];
    for (const id of ids) alone.push(numbersOf(await listEnterpriseIssues(t.models, id, 'summary')));
    const getMores = async () => {
      const status = await t.conn.db!.admin().command({ serverStatus: 1 });
      return Number(status.metrics?.commands?.getmore?.total ?? 0);
    };
    const getMoresBefore = await getMores();
    const { value, finds } = await countingFinds(() =>
      Promise.all(ids.map((id) => listEnterpriseIssues(t.models, id, 'summary'))),
    );
    expect(value.map(numbersOf)).to.deep.equal(alone);
    // One shared whole read, and a busy enterprise's bounded read for each of its scans; every row of the shared
    // read in its first reply (the busy enterprise's bounded reads are 100 and 30 rows: within one too).
    expect(finds).to.equal(1 + busy);
    expect(await getMores()).to.equal(getMoresBefore);

    const batch = await explain(batchedWholeRead(ids) as unknown as IssueRead);
    expectEnterpriseIndex(batch);
    expect(batch.keys).to.equal(batch.returned);
  });

  it('reads alone the enterprises a busy one cut out of a shared read', async () => {
    // The lowest id of all, so the shared read meets its issues first and they fill its limit.
    const { ent: busy } = await busyEnterprise(300, (k) => (k % 3 ? 'closed' : 'in_progress'), LOWEST_ID);
    const { small } = enterprises();
    const ids = [busy._id, small.e._id];
    const alone: string[][] = [];
    for (const id of ids) alone.push(numbersOf(await listEnterpriseIssues(t.models, id, 'summary')));
    expect(alone[1]).to.have.length(small.issues.length);
    const { value } = await countingFinds(() =>
      Promise.all(ids.map((id) => listEnterpriseIssues(t.models, id, 'summary'))),
    );
    expect(value.map(numbersOf)).to.deep.equal(alone);
  });

  it('reads a busy enterprise once more only for the list its newest issues leave short', async () => {
    // Newest first: `recent` issues in one state, then 40 older ones in the other.
    async function busy(recent: 'in_progress' | 'closed', count: number) {
      const older = recent === 'closed' ? 'in_progress' : 'closed';
      const { ent, docs } = await busyEnterprise(count + 40, (k) => (k < count ? recent : older));
      const { value: rows, finds: reads } = await countingFinds(() =>
        listEnterpriseIssues(t.models, ent._id, 'summary'),
      );
      return { docs, rows, reads };
    }
    const numbers = (xs: { number?: unknown }[]) => xs.map((x) => String(x.number));
    for (const [recent, count] of [
      ['in_progress', 120],
      ['closed', 140],
    ] as const) {
      const { docs, rows, reads } = await busy(recent, count);
      const expected = [
        ...docs.filter((d) => !isFinished(String(d.state))).slice(0, MAX_OPEN),
        ...docs.filter((d) => isFinished(String(d.state))).slice(0, MAX_FINISHED),
      ];
      expect(numbers(rows), recent).to.deep.equal(numbers(expected));
      expect(reads, `${recent}: the whole read and one bounded read`).to.equal(2);
    }
  });

  const shownOn = (text: string) => [...text.matchAll(/class="num">(HZ-\d{4}-\d{6})</g)].map((m) => m[1]);
  const olderLinkOf = (text: string) => /href="([^"]*\/finished\?before=[^"]*)"/.exec(text)?.[1];

  it('shows every open issue, then the latest few finished ones, for ordinary and busy enterprises', async () => {
    const { small, large } = enterprises();
    for (const { e, issues } of [small, large]) {
      const res = await request(t.app).get(`/e/${e.qrToken}`).expect(200);
      const expected = [
        ...issues.filter((i) => !isFinished(i.state)),
        ...issues.filter((i) => isFinished(i.state)).slice(0, RECENT_FINISHED),
      ].map((i) => i.number);
      expect(shownOn(res.text)).to.deep.equal(expected);
    }
  });

  it('pages through every older finished issue with plain links, newest first, each once', async () => {
    const { large } = enterprises();
    const finished = large.issues.filter((i) => isFinished(i.state)).map((i) => i.number);
    expect(finished.length).to.be.greaterThan(RECENT_FINISHED + 2 * FINISHED_PAGE);
    let text = (await request(t.app).get(`/e/${large.e.qrToken}`).expect(200)).text;
    expect(text).to.include(`最近办结 ${RECENT_FINISHED}）`);
    const seen = shownOn(text).filter((n) => finished.includes(n));
    let pages = 0;
    for (let link = olderLinkOf(text); link; link = olderLinkOf(text)) {
      text = (await request(t.app).get(link.replaceAll('&amp;', '&')).expect(200)).text;
      const page = shownOn(text);
      expect(page.length).to.be.within(1, FINISHED_PAGE);
      seen.push(...page);
      pages += 1;
    }
    expect(seen).to.deep.equal(finished);
    expect(pages).to.equal(Math.ceil((finished.length - RECENT_FINISHED) / FINISHED_PAGE));
    // A small enterprise's summary has no such link when it lists every finished issue.
    const { small } = enterprises();
    const smallFinished = small.issues.filter((i) => isFinished(i.state)).length;
    const smallPage = (await request(t.app).get(`/e/${small.e.qrToken}`).expect(200)).text;
    expect(olderLinkOf(smallPage) !== undefined).to.equal(smallFinished > RECENT_FINISHED);
  });

  it('reads a page of older finished issues on the enterprise index, from the cursor on', async () => {
    const { large } = enterprises();
    const all = await t.models.Issue.find({ enterpriseId: large.e._id }, { createdAt: 1 })
      .sort({ createdAt: -1, _id: -1 })
      .lean();
    const finished = await t.models.Issue.find(
      { enterpriseId: large.e._id, state: { $in: [...TERMINAL_STATES] } },
      { createdAt: 1 },
    )
      .sort({ createdAt: -1, _id: -1 })
      .lean();
    const from = finished[RECENT_FINISHED + FINISHED_PAGE - 1];
    const e = await explain(finishedPageRead(large.e._id, { createdAt: from.createdAt, _id: from._id }));
    expectEnterpriseIndex(e);
    expect(e.returned).to.equal(FINISHED_PAGE + 1);
    // The scan starts at the cursor's instant, not at the enterprise's newest issue.
    const newer = all.findIndex((i) => String(i._id) === String(from._id));
    expect(e.keys).to.be.at.most(all.length - newer);
    expect(e.keys).to.be.at.most(FINISHED_PAGE + 1 + (all.length - finished.length) + 1);
  });

  it('answers a malformed 更早 link with 400, not an error', async () => {
    const { large } = enterprises();
    for (const before of ['x', '1-2', '99999999999999999-0123456789abcdef01234567', '']) {
      const res = await request(t.app).get(`/e/${large.e.qrToken}/finished`).query({ before }).expect(400);
      expect(res.text).to.include('链接无效');
    }
    await request(t.app).get(`/e/${large.e.qrToken}/finished?before=1&before=2`).expect(400);
    // Without a cursor: the newest finished issues.
    const first = shownOn((await request(t.app).get(`/e/${large.e.qrToken}/finished`).expect(200)).text);
    const finished = large.issues.filter((i) => isFinished(i.state)).map((i) => i.number);
    expect(first).to.deep.equal(finished.slice(0, FINISHED_PAGE));
  });
});

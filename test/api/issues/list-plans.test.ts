// Every query GET /api/issues sends, for every filter and order the workbench offers, as centre staff, a
// handler, the city leader and a county leader, first page and next page, is explained (executionStats)
// exactly as sent: an index serves it (no COLLSCAN), the index delivers the order (no blocking SORT), and it
// reads about as many keys as it returns. Where the filter and the actor's visibility are two selective sets
// no one index covers (a handler filtering by category, say), it reads no more than the smaller of the two.
import { expect } from 'chai';
import type { Document } from 'bson';
import request from 'supertest';
import { DAY_MS } from '../../../shared/clock.ts';
import { SEARCH_READS, SEARCH_WINDOW } from '../../../server/routes/issues/issue-search.ts';
import { stageNames } from '../../db/explain-stages.ts';
import { SUPERVISION_QUEUES, UNIT_QUEUES } from '../../../server/workbench/queues.ts';
import { insertBulkIssues } from './bulk-issues.ts';
import { handlerOf, unitByCode, useIssueApp } from './fixtures.ts';

const LIMIT = 20;
/** Queues filtered beyond their index's prefix: they read a unit's issues in the queue's states. */
// 'mine' filters the unit's open issues by assignee: like a light or a redo, narrower than the unit's index.
const NARROW = new Set(['dueSoon', 'overdue', 'returned', 'rectify', 'callback', 'mine']);

interface Sent {
  filter: Document;
  options: Document;
}

interface Explained {
  /** The first index the winning plan scans. */
  index?: string;
  keys: number;
  returned: number;
  stages: string[];
  scans: number;
}

describe('GET /api/issues: every query is served by an index that delivers its order', function () {
  this.timeout(120_000);
  const t = useIssueApp();
  let sent: Sent[] = [];
  /** How many issues each condition selects on its own (what a plan intersecting it may read at most). */
  const count = (filter: Document) => t.models.Issue.collection.countDocuments(filter);

  before(async function () {
    this.timeout(120_000);
    await insertBulkIssues(t, 4000);
    // Bad ratings waiting for the centre's check (more than a page) and callbacks asked for.
    const waiting = await t.models.Issue.collection
      .find({ state: 'awaiting_rating' }, { projection: { _id: 1, createdAt: 1 } })
      .limit(28)
      .toArray();
    expect(waiting).to.have.length(28);
    const [rated, callback] = [waiting.slice(0, 22), waiting.slice(22)].map((d) => d.map((x) => x._id));
    await t.models.Issue.collection.updateMany(
      { _id: { $in: rated } },
      { $set: { rating: { rating: 'bad', at: new Date(), source: 'enterprise', verification: 'pending' } } },
    );
    await t.models.Issue.collection.updateMany(
      { _id: { $in: callback } },
      { $set: { callbackRequested: true } },
    );
    // Requests waiting for approval (more than a page), of each kind.
    const handling = await t.models.Issue.collection
      .find({ state: 'in_progress' }, { projection: { _id: 1, createdBy: 1 } })
      .limit(27)
      .toArray();
    expect(handling).to.have.length(27);
    const kinds = ['extension', 'suspend', 'resume'];
    await t.models.Issue.collection.bulkWrite(
      handling.map((d, i) => ({
        updateOne: {
          filter: { _id: d._id },
          update: {
            $set: {
              pendingApproval: {
                kind: kinds[i % 3],
                requestedBy: String(d.createdBy),
                requestedAt: new Date(),
                reason: '需要协调',
              },
            },
          },
        },
      })),
    );
    // Late signatures and late replies (the timeliness KPIs' misses), a minority, more than a page each.
    const closed = await t.models.Issue.collection
      .find({ state: 'closed' }, { projection: { _id: 1 } })
      .limit(120)
      .toArray();
    expect(closed).to.have.length(120);
    const every = (n: number) => closed.filter((_, i) => i % n === 0).map((d) => d._id);
    await t.models.Issue.collection.updateMany({ _id: { $in: every(2) } }, { $set: { repliedLate: true } });
    await t.models.Issue.collection.updateMany({ _id: { $in: every(3) } }, { $set: { signedLate: true } });
    // Consultations (more than a page), one in five gone up to the leader tier (not the director's 待会商决定).
    const consulted = await t.models.Issue.collection
      .find({ state: 'in_progress', pendingApproval: null }, { projection: { _id: 1, unitId: 1 } })
      .limit(30)
      .toArray();
    expect(consulted).to.have.length(30);
    await t.models.Issue.collection.bulkWrite(
      consulted.map((d, i) => {
        const tier = i % 5 === 4 ? 'leader' : 'director';
        const consultation = { tier, unitIds: [String(d.unitId)], inputs: {}, dueAt: new Date() };
        return {
          updateOne: {
            filter: { _id: d._id },
            update: { $set: { state: 'consulting', consultation, consultUnitIds: [d.unitId] } },
          },
        };
      }),
    );
    const leader = await t.models.User.findOne({ username: 'leader' }).lean();
    const { _id: _drop, ...rest } = leader!;
    await t.models.User.collection.insertOne({ ...rest, username: 'leader-deqing', region: 'deqing' });
    t.conn.set('debug', (coll: string, method: string, filter: Document, options: Document) => {
      if (coll === 'issues' && method === 'find') sent.push({ filter, options });
    });
  });
  after(() => t.conn.set('debug', false));

  async function explain(q: Sent): Promise<Explained> {
    const { projection, sort, limit, skip } = q.options;
    const cursor = t.conn.db!.collection('issues').find(q.filter, { projection, sort, limit, skip });
    const ex = await cursor.explain('executionStats');
    const stages = stageNames(ex.queryPlanner.winningPlan);
    return {
      index: (JSON.stringify(ex.queryPlanner.winningPlan).match(/"indexName":"([^"]+)"/) ?? [])[1],
      keys: ex.executionStats.totalKeysExamined,
      returned: ex.executionStats.nReturned,
      stages,
      scans: stages.filter((s) => s === 'IXSCAN').length,
    };
  }

  /** Runs one list request and explains what it sent; returns the explanations and the next cursor. */
  async function listAndExplain(user: string, qs: string) {
    sent = [];
    const res = await request(t.app)
      .get(`/api/issues?${qs}`)
      .set(await t.auth(user))
      .expect(200);
    const explained = [];
    for (const q of sent) explained.push({ q, ex: await explain(q) });
    return { explained, next: res.body.next as string | undefined };
  }

  const unitCode = 'city-drc';
  const roles: Record<string, { user: string; reach: () => Document }> = {
    centre: { user: 'clerk', reach: () => ({}) },
    handler: {
      user: handlerOf(unitCode),
      reach: () => {
        const u = unitByCode(t, unitCode)._id;
        return { $or: [{ unitId: u }, { coUnitIds: u }, { consultUnitIds: u }] };
      },
    },
    leader: {
      user: 'leader',
      reach: () => ({ $or: [{ tier: 'leader' }, { warning: { $in: ['red', 'overdue'] } }] }),
    },
    // Its red lights are read for every county and filtered by region: at most the whole city's.
    county: {
      user: 'leader-deqing',
      reach: () => ({ $or: [{ tier: 'leader' }, { warning: { $in: ['red', 'overdue'] } }] }),
    },
  };

  /** The filters of the workbench (and the API's extra ones), with what each selects on its own. */
  const filters = (): Record<string, { qs: string; alone: Document }> => {
    const now = t.clock.now().getTime();
    const from = new Date(now - 60 * DAY_MS);
    const to = new Date(now - 30 * DAY_MS);
    const unit = unitByCode(t, 'deqing-centre')._id;
    const enterprise = t.data.enterprises[0]._id;
    return {
      plain: { qs: '', alone: {} },
      'one state': { qs: 'state=dispatched', alone: { state: 'dispatched' } },
      'several states': {
        qs: 'state=dispatched,in_progress,replied',
        alone: { state: { $in: ['dispatched', 'in_progress', 'replied'] } },
      },
      'the common state': { qs: 'state=closed', alone: { state: 'closed' } },
      category: { qs: 'category=finance', alone: { category: 'finance' } },
      urgency: { qs: 'urgency=critical', alone: { urgency: 'critical' } },
      warning: { qs: 'warning=red', alone: { warning: 'red' } },
      channel: { qs: 'channel=email', alone: { channel: 'email' } },
      unitId: { qs: `unitId=${String(unit)}`, alone: { unitId: unit } },
      unassigned: { qs: 'unitId=none', alone: { unitId: null } },
      region: { qs: 'region=anji', alone: { region: 'anji' } },
      enterpriseId: { qs: `enterpriseId=${String(enterprise)}`, alone: { enterpriseId: enterprise } },
      'signed late': { qs: 'late=sign', alone: { signedLate: true } },
      'closed late': { qs: 'state=closed&late=reply', alone: { repliedLate: true } },
      'from/to': {
        qs: `from=${from.toISOString()}&to=${to.toISOString()}`,
        alone: { createdAt: { $gte: from, $lte: to } },
      },
    };
  };

  /**
   * Cases that read exactly their page (plus one look-ahead key per merged scan): a filter with its own
   * index, or the actor's visibility with or without a state, and a creation-date window in creation order
   * (either way).
   * A creation-date window in due-date order, or an enterprise's issues by due date, read the window or the
   * enterprise's issues.
   */
  function tight(role: string, filter: string, sort: string): boolean {
    if (filter === 'from/to') return sort !== 'dueAt' && role !== 'county';
    if (role === 'centre') return !(sort === 'dueAt' && filter === 'enterpriseId');
    if (role === 'county') return false;
    return ['plain', 'one state', 'several states', 'the common state'].includes(filter);
  }

  for (const role of Object.keys(roles)) {
    it(`as ${role}: each filter, each order, first page and next page`, async () => {
      const { user, reach } = roles[role];
      const visible = await count(reach());
      for (const [name, f] of Object.entries(filters())) {
        const selected = await count(f.alone);
        for (const sort of ['createdAt', 'dueAt', 'oldest']) {
          let cursor: string | undefined;
          for (const page of [1, 2]) {
            const qs = [
              f.qs,
              `sort=${sort}`,
              `limit=${LIMIT}`,
              cursor && `cursor=${encodeURIComponent(cursor)}`,
            ]
              .filter(Boolean)
              .join('&');
            const { explained, next } = await listAndExplain(user, qs);
            // Due order: the page that ends the dated issues is filled from the undated ones (two queries).
            expect(explained).to.have.length.within(1, sort === 'dueAt' ? 2 : 1);
            for (const { ex } of explained) {
              const where = `${role} ${name} sort=${sort} page ${page}: ${JSON.stringify(ex)}`;
              expect(ex.stages, where).to.not.include('COLLSCAN');
              // An enterprise's few issues are read by its index and put in due-date order in memory.
              if (!(name === 'enterpriseId' && sort === 'dueAt'))
                expect(ex.stages, where).to.not.include('SORT');
              if (tight(role, name, sort)) {
                expect(ex.keys, where).to.be.at.most(2 * ex.returned + ex.scans + 2);
              } else {
                expect(ex.keys, where).to.be.at.most(
                  Math.min(visible, selected) + ex.scans + 2 * (LIMIT + 1),
                );
              }
            }
            cursor = next;
            if (!cursor) break;
          }
        }
      }
    });
  }

  it('every to-do queue (server/workbench/queues.ts), first page and next page, reads about its page', async () => {
    const desks = {
      handler: [handlerOf(unitCode), UNIT_QUEUES],
      centre: ['clerk', ['triage', 'verify', 'ratingCheck', 'callback']],
      approver: ['dispatcher', ['approval']],
      director: ['director', ['convene']],
      supervisor: ['supervisor', SUPERVISION_QUEUES],
    };
    for (const [role, [user, queues]] of Object.entries(desks) as [string, [string, readonly string[]]][]) {
      for (const queue of queues) {
        let cursor: string | undefined;
        for (const page of [1, 2]) {
          const qs = [`queue=${queue}`, `limit=${LIMIT}`, cursor && `cursor=${encodeURIComponent(cursor)}`]
            .filter(Boolean)
            .join('&');
          const { explained, next } = await listAndExplain(user, qs);
          // A queue in due order that ends its dated issues on this page reads its undated ones too.
          expect(explained).to.have.length.within(1, 2);
          for (const { ex } of explained) {
            const where = `${role} queue=${queue} page ${page}: ${JSON.stringify(ex)}`;
            expect(ex.stages, where).to.not.include('COLLSCAN');
            expect(ex.stages, where).to.not.include('SORT');
            // Queues narrower than their index (a light, a redo, a sent-back reply) read the unit's issues in
            // that state at most.
            expect(ex.keys, where).to.be.at.most(
              2 * ex.returned + ex.scans + 2 + (NARROW.has(queue) ? 400 : 0),
            );
          }
          const returned = explained.reduce((n, { ex }) => n + ex.returned, 0);
          if (['ratingCheck', 'callback', 'approval', 'convene', ...SUPERVISION_QUEUES].includes(queue))
            expect(returned, `${role} queue=${queue} page ${page}`).to.be.above(0);
          cursor = next;
          if (!cursor) break;
        }
      }
    }
  });

  it('a text search newest first reads the word index: the issues holding its word, about what it returns', async () => {
    const holding = await count({ content: /用电增容/ });
    expect(holding).to.be.within(30, 60);
    for (const role of Object.keys(roles)) {
      const { explained } = await listAndExplain(roles[role].user, `q=${encodeURIComponent('用电增容')}`);
      // One read of the issues holding the word, then the page's rows by _id.
      expect(explained.length, role).to.be.within(1, 2);
      const [search] = explained;
      const where = `${role}: ${JSON.stringify(search.ex)}`;
      expect(search.ex.index, where).to.equal('searchTerms_1_createdAt_-1__id_-1');
      expect(search.ex.stages, where).to.not.include('SORT');
      // Every issue holding the word is read once, at most (the others in the actor's reach and filters are
      // the page); the centre sees them all, so it reads what it returns.
      expect(search.ex.keys, where).to.be.at.most(holding + 1);
      if (role === 'centre') expect(search.ex.keys, where).to.be.at.most(search.ex.returned + 1);
    }
  });

  it('a text search reads each row of one bounded window once per request, on an index, in order', async () => {
    for (const role of Object.keys(roles)) {
      for (const [sort, text] of [
        ['createdAt', '增'],
        ['dueAt', '用电增容'],
        ['oldest', '增'],
      ]) {
        const { explained } = await listAndExplain(
          roles[role].user,
          `q=${encodeURIComponent(text)}&sort=${sort}`,
        );
        // The window's reads (one more for the rows that share the last one's key), then the page's rows by _id.
        expect(explained.length).to.be.within(1, SEARCH_READS.length + 1);
        let keys = 0;
        let slack = 0;
        for (const { ex } of explained) {
          const where = `${role} sort=${sort}: ${JSON.stringify(ex)}`;
          expect(ex.stages, where).to.not.include('COLLSCAN');
          expect(ex.stages, where).to.not.include('SORT');
          keys += ex.keys;
          slack += ex.scans + 1;
        }
        // Once, not twice (where each step ends, then the matches up to there): the page's rows by _id aside.
        expect(keys, `${role} sort=${sort}`).to.be.at.most(SEARCH_WINDOW + LIMIT + slack);
      }
    }
  });

  it('an issue number goes to the number index and reads about what it returns', async () => {
    const [one] = await t.models.Issue.find({}, { number: 1 }).sort({ createdAt: -1 }).limit(1).lean();
    for (const q of [one.number, one.number.slice(3), one.number.slice(0, -2)]) {
      const { explained } = await listAndExplain('clerk', `q=${encodeURIComponent(q)}`);
      for (const { ex } of explained) {
        expect(ex.stages, q).to.not.include('COLLSCAN');
        expect(ex.stages, q).to.not.include('SORT');
        expect(ex.keys, q).to.be.at.most(2 * LIMIT + 2);
      }
    }
  });
});

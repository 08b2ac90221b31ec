// The clustering run (issue 7 §3): reads the open and recent issues, clusters them with the pure core
// (server/text/cluster.ts, through cluster-compute.ts in a worker thread) on top of the clusters the previous
// run kept, and writes the clusters back with their summaries. Run by node-cron (one process per slot wins a counter claim, the others skip it) and on
// demand (POST /api/class-problems/cluster). Within a process one run at a time: a second request joins it.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Types } from 'mongoose';
import cron, { type ScheduledTask } from 'node-cron';
import { DAY_MS, type Clock } from '../../shared/clock.ts';
import { ISSUE_STATES, type CategoryId, type IssueState } from '../../shared/states.ts';
import type { Logger } from '../logger.ts';
import { nextSequence } from '../models/counter.model.ts';
import type { Models } from '../models/index.ts';
import type { ClusterSummary } from '../models/class-problem.model.ts';
import { DEFAULT_CLUSTER_OPTIONS, type BackgroundText } from '../text/cluster.ts';
import type { ClusterSummaryView } from '../text/cluster-summary.ts';
import { isStopped, runInWorker } from '../text/in-worker.ts';
import { issueText } from '../text/issue-text.ts';
import type { ClusterComputeInput, ClusterComputeOutput } from './cluster-compute.ts';

/** Every hour at minute 17 (away from the sweep's and retraining's minutes). */
export const CLUSTER_SCHEDULE = '17 * * * *';
/** Issues older than this take part only while open. */
export const RECENT_DAYS = 90;
/** A cluster is kept between runs from two members on, and offered as a candidate from this many. */
const KEEP_FROM = 2;

export interface ClusterRunDeps {
  models: Models;
  clock: Clock;
  logger: Logger;
  /** Labelled texts whose document frequencies steady the IDF (default: the training corpus, read once). */
  background?: readonly BackgroundText[];
}

export interface ClusterRunReport {
  issues: number;
  clusters: number;
  candidates: number;
  newClusters: number;
  ms: number;
}

const FINISHED: IssueState[] = ['closed', 'merged', 'rejected'];
/**
 * The states still open, named (not `$nin` FINISHED): each is a range of the `{state, createdAt}` index, so
 * the older open issues cost their own count; `$nin` walked every older issue (18 s at a million).
 */
const OPEN: IssueState[] = ISSUE_STATES.filter((s) => !FINISHED.includes(s));
/**
 * Issues still waiting in 待受理 are left out: their category is not settled (a class groups one category) and
 * a vague phone note (企业来电, one keyword) says nothing of a cause; they join at the next run once dispatched.
 */
const CLUSTERED_OPEN: IssueState[] = OPEN.filter((s) => s !== 'received');

interface Row {
  _id: Types.ObjectId;
  title: string;
  content: string;
  category: CategoryId;
  region: string;
  enterpriseId: Types.ObjectId;
  unitId: Types.ObjectId | null;
  unitName: string | null;
  createdAt: Date;
}

/**
 * What a run clusters: the last 90 days' issues (not merged or rejected, nor still in 待受理), and older ones
 * still open and dispatched.
 */
export function clusterFilters(now: Date) {
  const since = new Date(now.getTime() - RECENT_DAYS * DAY_MS);
  return {
    recent: { createdAt: { $gte: since }, state: { $nin: ['merged', 'rejected', 'received'] } },
    olderOpen: { createdAt: { $lt: since }, state: { $in: CLUSTERED_OPEN } },
  };
}

async function loadRows(models: Models, now: Date): Promise<Row[]> {
  const filters = clusterFilters(now);
  const projection = {
    title: 1,
    content: 1,
    category: 1,
    region: 1,
    enterpriseId: 1,
    unitId: 1,
    unitName: 1,
    createdAt: 1,
  };
  const issues = models.Issue.collection;
  const [recent, olderOpen] = await Promise.all([
    issues.find<Row>(filters.recent, { projection }).toArray(),
    issues.find<Row>(filters.olderOpen, { projection }).toArray(),
  ]);
  return [...recent, ...olderOpen];
}

async function industriesOf(models: Models, rows: readonly Row[]): Promise<Map<string, string>> {
  const ids = [...new Set(rows.map((r) => String(r.enterpriseId)))].map((id) => new Types.ObjectId(id));
  const docs = await models.Enterprise.collection
    .find<{ _id: Types.ObjectId; industry?: string }>({ _id: { $in: ids } }, { projection: { industry: 1 } })
    .toArray();
  return new Map(docs.map((d) => [String(d._id), d.industry ?? '']));
}

function toSummary(view: ClusterSummaryView, rows: Map<string, Row>): ClusterSummary {
  const rep = rows.get(view.representativeId)!;
  return {
    representative: { issueId: rep._id, number: '', text: view.representativeText },
    keywords: view.keywords,
    memberCount: view.memberCount,
    enterpriseCount: view.enterpriseCount,
    regions: view.regions,
    units: view.units.map((u) => ({ id: new Types.ObjectId(u.id), name: u.name })),
    oldestAt: view.oldestAt,
    newestAt: view.newestAt,
  };
}

/** One clustering run: read, cluster (pure), write the clusters back. */
export async function runClustering(deps: ClusterRunDeps, signal?: AbortSignal): Promise<ClusterRunReport> {
  const started = Date.now();
  const { models } = deps;
  const now = deps.clock.now();
  const rows = await loadRows(models, now);
  const industries = await industriesOf(models, rows);
  const byId = new Map(rows.map((r) => [String(r._id), r]));
  const priorDocs = await models.ClassCluster.find(
    {},
    { category: 1, memberIds: 1, classProblemId: 1 },
  ).lean();
  const input: ClusterComputeInput = {
    members: rows.map((r) => ({
      id: String(r._id),
      text: issueText(r),
      category: r.category,
      createdAt: r.createdAt,
      region: r.region,
      industry: industries.get(String(r.enterpriseId)) || null,
      enterpriseId: String(r.enterpriseId),
      unitId: r.unitId ? String(r.unitId) : null,
      unitName: r.unitName,
    })),
    prior: priorDocs.map((c) => ({
      id: String(c._id),
      category: c.category,
      memberIds: c.memberIds.map(String),
    })),
    promoted: priorDocs.filter((c) => c.classProblemId).map((c) => String(c._id)),
    keepFrom: KEEP_FROM,
    background: deps.background ? [...deps.background] : undefined,
  };
  const { kept } = await runInWorker<ClusterComputeOutput>(
    new URL('./cluster-compute.ts', import.meta.url),
    'computeClustersInWorker',
    input,
    signal,
  );
  await writeClusters(models, kept, byId, now);
  await models.ClassCluster.deleteMany({
    _id: { $nin: kept.map((k) => new Types.ObjectId(k.cluster.id)) },
    classProblemId: null,
  });
  const report: ClusterRunReport = {
    issues: rows.length,
    clusters: kept.length,
    candidates: kept.filter((k) => isCandidateSize(k.cluster.memberIds.length)).length,
    newClusters: kept.filter((k) => k.cluster.isNew).length,
    ms: Date.now() - started,
  };
  deps.logger.info(report, 'class clustering');
  return report;
}

export const isCandidateSize = (members: number) => members >= DEFAULT_CLUSTER_OPTIONS.minMembers;

async function writeClusters(
  models: Models,
  kept: ClusterComputeOutput['kept'],
  rows: Map<string, Row>,
  now: Date,
): Promise<void> {
  const summaries = kept.map((k) => toSummary(k.summary, rows));
  // The representatives' numbers (one read; clustering itself does not need them).
  const numbers = new Map(
    (
      await models.Issue.collection
        .find<{ _id: Types.ObjectId; number: string }>(
          { _id: { $in: summaries.map((s) => s.representative.issueId) } },
          { projection: { number: 1 } },
        )
        .toArray()
    ).map((d) => [String(d._id), d.number]),
  );
  const ops = kept.map(({ cluster: c }, k) => {
    const summary = summaries[k];
    summary.representative.number = numbers.get(String(summary.representative.issueId)) ?? '';
    return {
      updateOne: {
        filter: { _id: new Types.ObjectId(c.id) },
        update: {
          $set: {
            category: c.category,
            memberIds: c.memberIds.map((id) => new Types.ObjectId(id)),
            summary,
            updatedAt: now,
          },
          $setOnInsert: { createdAt: now, classProblemId: null },
        },
        upsert: true,
      },
    };
  });
  if (ops.length) await models.ClassCluster.bulkWrite(ops, { ordered: false });
}

/** The job's scheduler: node-cron in this process, one process per slot (counter claim). */
export function createClusterScheduler(deps: ClusterRunDeps & { expression?: string }) {
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  let task: ScheduledTask | undefined;
  let running: Promise<ClusterRunReport> | null = null;
  // Aborted by stop: a run under way ends (its worker terminated); the next slot's run clusters afresh.
  const stopping = new AbortController();
  const run = (): Promise<ClusterRunReport> => {
    running ??= runClustering(deps, stopping.signal).finally(() => {
      running = null;
    });
    return running;
  };
  async function scheduled(): Promise<void> {
    const slot = deps.clock.now().toISOString().slice(0, 13);
    if ((await nextSequence(deps.models.Counter, `class-cluster:${slot}`)) !== 1) return;
    deps.logger.debug({ owner, slot }, 'class clustering slot claimed');
    await run().catch((err: unknown) => {
      if (!isStopped(err)) throw err; // stopped by a shutdown: not a failure
    });
  }
  return {
    start(): void {
      task ??= cron.schedule(
        deps.expression ?? CLUSTER_SCHEDULE,
        () => void scheduled().catch((err: unknown) => deps.logger.error({ err }, 'class clustering failed')),
        { name: 'class-clustering', noOverlap: true },
      );
    },
    async stop(): Promise<void> {
      stopping.abort();
      await task?.stop();
      task = undefined;
      await running?.catch(() => undefined);
    },
    /** Runs now (joins a run in flight). */
    run,
    scheduled,
  };
}

export type ClusterScheduler = ReturnType<typeof createClusterScheduler>;

const runners = new WeakMap<Models, ClusterScheduler>();

/** The process's one clustering runner per database (the cron job and the endpoint share its single flight). */
export function clusterRunnerFor(deps: ClusterRunDeps): ClusterScheduler {
  let r = runners.get(deps.models);
  if (!r) runners.set(deps.models, (r = createClusterScheduler(deps)));
  return r;
}

// The CPU half of a clustering run, pure apart from reading the training corpus for the background: index the
// texts, cluster them on top of the prior clusters, keep the clusters worth keeping and summarise them. The
// job (cluster.job.ts) runs it in a worker thread: over a city's recent and open issues (about 100,000 at
// 1,000,000 stored) it takes tens of seconds, which on the main thread stalled every request and QR page.
import { ObjectId } from 'bson';
import type { CategoryId } from '../../shared/states.ts';
import {
  clusterItems,
  clusterTokens,
  indexItems,
  type BackgroundText,
  type ClusterResult,
  type PriorCluster,
} from '../text/cluster.ts';
import { summariseCluster, type ClusterSummaryView, type SummaryMember } from '../text/cluster-summary.ts';
import { loadTrainingCorpus } from '../text/corpus.ts';

export interface ComputeMember extends SummaryMember {
  category: CategoryId;
  industry: string | null;
}

export interface ClusterComputeInput {
  members: ComputeMember[];
  prior: PriorCluster[];
  /** Prior clusters promoted to class problems: kept whatever their size. */
  promoted: string[];
  /** Clusters smaller than this are dropped (unless promoted). */
  keepFrom: number;
  /** Labelled texts whose document frequencies steady the IDF (default: the training corpus). */
  background?: BackgroundText[];
}

export interface ClusterComputeOutput {
  kept: Array<{ cluster: ClusterResult; summary: ClusterSummaryView }>;
}

export function trainingBackground(): BackgroundText[] {
  return loadTrainingCorpus().map((r) => ({ tokens: clusterTokens(r.text), category: r.category }));
}

export function computeClusters(input: ClusterComputeInput, newId: () => string): ClusterComputeOutput {
  const items = input.members.map((m) => ({
    id: m.id,
    text: m.text,
    category: m.category,
    createdAt: m.createdAt,
    region: m.region,
    industry: m.industry,
  }));
  const index = indexItems(items, input.background ?? trainingBackground());
  const promoted = new Set(input.promoted);
  const byId = new Map(input.members.map((m) => [m.id, m]));
  const kept = clusterItems(items, input.prior, newId, {}, index).filter(
    (c) => c.memberIds.length >= input.keepFrom || promoted.has(c.id),
  );
  return {
    kept: kept.map((cluster) => ({
      cluster,
      summary: summariseCluster(
        cluster.memberIds.map((id) => byId.get(id)!),
        index,
      ),
    })),
  };
}

/** The worker thread's entry (in-worker.ts): new clusters get ObjectId ids. */
export const computeClustersInWorker = (input: ClusterComputeInput): ClusterComputeOutput =>
  computeClusters(input, () => new ObjectId().toHexString());

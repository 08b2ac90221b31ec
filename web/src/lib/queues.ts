// The to-do queues of the workbench (unit staff) and the centre desk: counts from GET /api/workbench and rows
// from GET /api/issues?queue=<id>.
import { QUEUE_LABELS, type QueueId } from '../../../shared/queues.ts';
import { api } from './api.ts';
import type { DeskCard, IssueSummary, ListAnswer } from './types.ts';

export { QUEUE_LABELS, type QueueId };

export interface Queue {
  id: QueueId | string;
  label: string;
  count: number;
}

export interface HandlerLoad {
  userId: string;
  name: string;
  open: number;
  overdue: number;
}

export interface Workbench {
  queues: Queue[];
  load?: HandlerLoad[];
}

/** GET /api/workbench: the counts of the user's queues, each with the server's label. */
export async function loadWorkbench(): Promise<Workbench> {
  const wb = await api.get<Workbench>('/workbench');
  return {
    ...wb,
    queues: wb.queues.map((q) => ({ ...q, label: q.label || QUEUE_LABELS[q.id as QueueId] || q.id })),
  };
}

/** Counts asked for while the screen's code was still loading (first paint), taken once by the screen. */
let early: { kind: 'unit' | 'desk'; at: number; answer: Promise<Workbench> } | null = null;
/** A prefetch older than this is not the screen's (its navigation was abandoned). */
const EARLY_MS = 5_000;

/** Starts loading the counts before the screen is there (the router, once it knows the user). */
export function prefetchWorkbench(kind: 'unit' | 'desk'): void {
  const answer = loadWorkbench();
  answer.catch(() => undefined); // the screen that takes it reports the failure
  early = { kind, at: Date.now(), answer };
}

/** The counts prefetched for this screen, or a fresh load. */
export function takeWorkbench(kind: 'unit' | 'desk'): Promise<Workbench> {
  const taken = early?.kind === kind && Date.now() - early.at < EARLY_MS ? early.answer : null;
  early = null;
  return taken ?? loadWorkbench();
}

/** A queue opens in the server's order for it (QUEUE_SORT: due soonest first where its issues have a deadline). */
const queueQuery = (id: string) => ({ queue: id, limit: 20 });

/** One page of a queue's rows, in the queue's order. */
export function loadQueue(id: string, cursor?: string): Promise<ListAnswer<IssueSummary>> {
  return api.get<ListAnswer<IssueSummary>>('/issues', { ...queueQuery(id), cursor });
}

/** The first page of a queue as the desk's cards (shared/issue-card.ts), in one request. */
export function loadQueueCards(id: string): Promise<ListAnswer<DeskCard>> {
  return api.get<ListAnswer<DeskCard>>('/issues', { ...queueQuery(id), view: 'cards' });
}

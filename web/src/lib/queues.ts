// The to-do queues of the workbench (unit staff) and the centre desk: counts from GET /api/workbench and rows
// from GET /api/issues?queue=<id>. Until the server offers /api/workbench (404), the queues that the plain list
// filters can express are computed from GET /api/issues, so both screens work on any server.
import { HANDLING_STATES } from '../../../shared/states.ts';
import { api, ApiError, type Query } from './api.ts';
import type { IssueSummary, ListAnswer } from './types.ts';

export type QueueId =
  | 'mine'
  | 'toSign'
  | 'inProgress'
  | 'dueSoon'
  | 'overdue'
  | 'returned'
  | 'consultInput'
  | 'rectify'
  | 'triage'
  | 'approval'
  | 'verify'
  | 'ratingCheck'
  | 'callback'
  | 'deadLetters'
  | 'supervised'
  | 'bulletined'
  | 'cityOverdue';

export interface Queue {
  id: QueueId | string;
  label: string;
  count: number;
  /** The count reached the fallback's page size: show "100+". */
  more?: boolean;
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
  /** True when computed in the browser because the server has no /api/workbench. */
  fallback?: boolean;
}

/** The server's words (server/workbench/queues.ts), so that a desk's tile and its tab read alike. */
export const QUEUE_LABELS: Readonly<Record<QueueId, string>> = Object.freeze({
  mine: '我经办的',
  toSign: '待签收',
  inProgress: '办理中',
  dueSoon: '即将到期',
  overdue: '已超期',
  returned: '退回待处理',
  consultInput: '待提交会商意见',
  rectify: '差评待整改',
  triage: '待受理分办',
  approval: '待审批',
  verify: '待审核答复',
  ratingCheck: '差评待核实',
  callback: '待回访',
  deadLetters: '接入失败',
  supervised: '督办中',
  bulletined: '已通报',
  cityOverdue: '全市超期',
});

const HANDLING = HANDLING_STATES.join(',');
const FALLBACK_PAGE = 100;

/** What each queue means in terms of the list filters, where the list can say it. */
function fallbackFilters(id: string, unitId: string | null): Query | null {
  const unit = unitId ? { unitId } : {};
  switch (id) {
    case 'toSign':
      return { state: 'dispatched', ...unit };
    case 'inProgress':
      return { state: 'in_progress', ...unit };
    case 'dueSoon':
      return { state: HANDLING, warning: 'yellow,red', ...unit };
    case 'overdue':
      return { state: HANDLING, warning: 'overdue', ...unit };
    case 'triage':
      return { state: 'received' };
    case 'verify':
      return { state: 'replied' };
    case 'callback':
      return { state: 'awaiting_rating' };
    default:
      return null;
  }
}

const UNIT_QUEUES: QueueId[] = ['toSign', 'inProgress', 'dueSoon', 'overdue'];
const DESK_QUEUES: QueueId[] = ['triage', 'verify', 'ratingCheck', 'callback'];

/** Whether the server offers /api/workbench; null until its first answer. */
let offered: boolean | null = null;

/** GET /api/workbench, or null where the server has none (404); its first answer settles `offered`. */
async function askWorkbench(): Promise<Workbench | null> {
  try {
    const wb = await api.get<Workbench>('/workbench');
    offered = true;
    return wb;
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
    offered = false;
    return null;
  }
}

async function hasWorkbench(): Promise<boolean> {
  if (offered === null) await askWorkbench();
  return offered === true;
}

export async function loadWorkbench(kind: 'unit' | 'desk', unitId: string | null): Promise<Workbench> {
  const wb = offered === false ? null : await askWorkbench();
  if (wb) {
    return {
      ...wb,
      queues: wb.queues.map((q) => ({ ...q, label: q.label || QUEUE_LABELS[q.id as QueueId] || q.id })),
    };
  }
  const ids = kind === 'unit' ? UNIT_QUEUES : DESK_QUEUES;
  const queues = await Promise.all(
    ids.map(async (id) => {
      const res = await api.get<ListAnswer<IssueSummary>>('/issues', {
        ...fallbackFilters(id, unitId),
        limit: FALLBACK_PAGE,
      });
      return { id, label: QUEUE_LABELS[id], count: res.items.length, more: !!res.next };
    }),
  );
  return { queues, fallback: true };
}

/** Counts asked for while the screen's code was still loading (first paint), taken once by the screen. */
let early: { kind: 'unit' | 'desk'; at: number; answer: Promise<Workbench> } | null = null;
/** A prefetch older than this is not the screen's (its navigation was abandoned). */
const EARLY_MS = 5_000;

/** Starts loading the counts before the screen is there (the router, once it knows the user). */
export function prefetchWorkbench(kind: 'unit' | 'desk', unitId: string | null): void {
  const answer = loadWorkbench(kind, unitId);
  answer.catch(() => undefined); // the screen that takes it reports the failure
  early = { kind, at: Date.now(), answer };
}

/** The counts prefetched for this screen, or a fresh load. */
export function takeWorkbench(kind: 'unit' | 'desk', unitId: string | null): Promise<Workbench> {
  const taken = early?.kind === kind && Date.now() - early.at < EARLY_MS ? early.answer : null;
  early = null;
  return taken ?? loadWorkbench(kind, unitId);
}

/** Queues of issues not yet dispatched have no deadline to order by: newest first. */
const UNTIMED = new Set(['triage', 'deadLetters']);

/** One page of a queue's rows, due soonest first. */
export async function loadQueue(
  id: string,
  unitId: string | null,
  cursor?: string,
): Promise<ListAnswer<IssueSummary>> {
  const filters = (await hasWorkbench()) ? { queue: id } : (fallbackFilters(id, unitId) ?? {});
  return api.get<ListAnswer<IssueSummary>>('/issues', {
    ...filters,
    sort: UNTIMED.has(id) ? undefined : 'dueAt',
    limit: 20,
    cursor,
  });
}

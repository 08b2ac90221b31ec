// A desk card (GET /api/issues?queue=…&view=cards): the one place that says what a card of 受理分办台 carries, read
// by the server's presenter and the web's card type alike, so the card cannot read a field the page did not
// fetch. A card is the issue's list row and the few facts its queues show (the problem, whom to call, the reply,
// the rating, the request, the consultation), never the timeline or the messages: what the cards say of the
// timeline (who returned it and why, who asked, the unit's files) is read from its last steps only (tailFacts).
import type { PendingKind } from './lifecycle/issue-core.ts';

/** The detail's fields a card carries besides the list row's (presentIssueSummary), presented as the detail does. */
export const ISSUE_CARD_KEYS = [
  'content',
  'contact',
  'enterprise',
  'township',
  'classification',
  'returnedFrom',
  'deadlines',
  'pendingApproval',
  'rating',
  'rateBy',
  'reply',
  'consultation',
  'classProblemId',
  'callbackAttempts',
  'version',
] as const;
export type IssueCardKey = (typeof ISSUE_CARD_KEYS)[number];

/**
 * How many of the timeline's last steps a card reads, and only for the issues whose queue says something from
 * it (a returned issue in 待分办, a request in 待审批, a unit's files beside its reply): each fact is among the
 * last steps (a return is what brought the issue back, a request is pending, the files came with the handling
 * that the reply ended), and the issue page shows the whole timeline.
 */
export const CARD_TIMELINE_TAIL = 30;

/** A timeline step as the card's facts read it (stored or presented). */
export interface CardTimelineStep {
  at: Date | string;
  action: string;
  actorId: string;
  actorName?: string | null;
  note?: string | null;
  public: boolean;
  data?: Record<string, unknown> | null;
}

/** One 退单: the unit that returned the issue, its reason and legal basis. */
export interface ReturnStep {
  fromUnitId: string | null;
  reason: string;
  legalBasis: string | null;
  at: string;
}

/** A file staff attached, and whether the enterprise sees it (企业可见). */
export interface StaffFile {
  id: string;
  filename: string;
  shown: boolean;
}

/** What a card says from the timeline's last steps. */
export interface CardFacts {
  /** The 退单 steps, oldest first (the dispatcher meets a returned issue in 待分办). */
  returns: ReturnStep[];
  /** Who asked for the pending extension, suspension or resumption (its own step names them), if read. */
  requestedByName: string | null;
  /** The files the units attached (shown beside the reply in 待审核). */
  staffFiles: StaffFile[];
}

export const NO_CARD_FACTS: CardFacts = { returns: [], requestedByName: null, staffFiles: [] };

const iso = (at: Date | string) => (typeof at === 'string' ? at : at.toISOString());

export function returnsOf(timeline: readonly CardTimelineStep[]): ReturnStep[] {
  return timeline
    .filter((e) => e.action === 'return')
    .map((e) => ({
      fromUnitId: typeof e.data?.fromUnitId === 'string' ? e.data.fromUnitId : null,
      reason: e.note ?? '',
      legalBasis: typeof e.data?.legalBasis === 'string' && e.data.legalBasis ? e.data.legalBasis : null,
      at: iso(e.at),
    }));
}

/** The files staff attached, each with its id (to open it), its name and whether the enterprise sees it. */
export function staffFilesOf(timeline: readonly Pick<CardTimelineStep, 'data' | 'public'>[]): StaffFile[] {
  return timeline.flatMap((e) =>
    e.data?.kind === 'attachments_added' && Array.isArray(e.data.attachments)
      ? (e.data.attachments as { id: string; filename: string }[]).map((a) => ({
          id: a.id,
          filename: a.filename,
          shown: e.public,
        }))
      : [],
  );
}

/** The step that asks for each kind of approval. */
const REQUEST_ACTIONS: Record<PendingKind, string> = {
  extension: 'request_extension',
  suspend: 'suspend',
  resume: 'resume',
};

/** Who asked for a pending request: the name on the request's own latest step by the requester. */
export function requesterNameOf(
  timeline: readonly CardTimelineStep[],
  pending: { kind: PendingKind; requestedBy: string } | null | undefined,
): string | null {
  if (!pending) return null;
  const action = REQUEST_ACTIONS[pending.kind];
  const step = timeline.findLast((e) => e.action === action && e.actorId === pending.requestedBy);
  return step?.actorName ?? null;
}

/** A card's facts from the timeline's last steps. */
export function tailFacts(
  tail: readonly CardTimelineStep[],
  pending: { kind: PendingKind; requestedBy: string } | null | undefined,
): CardFacts {
  return {
    returns: returnsOf(tail),
    requestedByName: requesterNameOf(tail, pending),
    staffFiles: staffFilesOf(tail),
  };
}

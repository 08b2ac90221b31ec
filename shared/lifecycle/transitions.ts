// The transition table of DESIGN §3: from which states each action may start and where it can lead. The
// handlers decide between the possible targets (e.g. a bad rating stays in awaiting_rating, a good one closes).

import {
  CLOCK_RUNNING_STATES,
  CLOCKED_STATES,
  HANDLING_STATES,
  OPEN_STATES,
  type IssueState,
} from '../states.ts';
import type { ActionId } from './actions.ts';

export interface Transition {
  from: readonly IssueState[];
  /** Possible target states, the usual one first; an action that may leave the state alone lists it too. */
  to: readonly IssueState[];
  /** Whether the event is shown to the enterprise on the QR page (a note decides per call). */
  public: boolean;
}

const t = (from: readonly IssueState[], to: readonly IssueState[], isPublic = false): Transition => ({
  from,
  to,
  public: isPublic,
});

export const TRANSITIONS: Readonly<Record<ActionId, Transition>> = Object.freeze({
  dispatch: t(['received', 'dispatched'], ['dispatched'], true),
  sign: t(['dispatched'], ['in_progress'], true),
  // Public so the owner's page says why the issue is back with the centre; the unit's reason stays internal.
  return: t(['dispatched', 'in_progress'], ['received', 'consulting'], true),
  transfer: t(['dispatched', 'in_progress'], ['dispatched'], true),
  add_co_unit: t(HANDLING_STATES, HANDLING_STATES),
  suspend: t(['in_progress'], ['in_progress', 'suspended']),
  approve_suspend: t(['in_progress'], ['suspended'], true),
  resume: t(['suspended'], ['suspended', 'in_progress']),
  approve_resume: t(['suspended'], ['in_progress'], true),
  deny_request: t(['in_progress', 'suspended'], ['in_progress', 'suspended']),
  request_extension: t(['in_progress'], ['in_progress']),
  approve_extension: t(['in_progress'], ['in_progress'], true),
  note: t([...OPEN_STATES, 'closed', 'rejected'], [...OPEN_STATES, 'closed', 'rejected']),
  consult: t(['received', 'dispatched', 'in_progress'], ['consulting'], true),
  consult_input: t(['consulting'], ['consulting']),
  decide: t(['consulting'], ['in_progress'], true),
  // The answer reaches the enterprise once the centre verifies it, so the reply itself is internal.
  reply: t(['in_progress'], ['replied']),
  verify: t(['replied'], ['awaiting_rating'], true),
  send_back: t(['replied'], ['in_progress']),
  callback: t(['awaiting_rating', 'closed'], ['awaiting_rating', 'closed']),
  rate: t(['awaiting_rating'], ['closed', 'awaiting_rating'], true),
  verify_rating: t(['awaiting_rating'], ['in_progress', 'consulting', 'closed'], true),
  merge: t(CLOCKED_STATES, ['merged'], true),
  reject: t(['received'], ['rejected'], true),
  reopen: t(['closed', 'rejected'], ['received'], true),
  // From `received` too: an issue waiting for triage is urged and supervised like the others (to the centre).
  // And a bad rating waiting for the centre's check (awaiting_rating, target rating_check only).
  urge: t([...CLOCKED_STATES, 'awaiting_rating'], [...CLOCKED_STATES, 'awaiting_rating']),
  supervise: t(CLOCKED_STATES, CLOCKED_STATES),
  bulletin: t(HANDLING_STATES, HANDLING_STATES),
  escalate: t(CLOCK_RUNNING_STATES, ['consulting'], true),
  request_callback: t(['awaiting_rating'], ['awaiting_rating']),
  // Any open issue; one that has not been signed for yet may move to the unit its new category routes to.
  reclassify: t(OPEN_STATES, OPEN_STATES),
  // While the unit holds the issue; the assignee is internal to the unit.
  assign: t(HANDLING_STATES, HANDLING_STATES),
});

/** Actions whose table entry allows them from `state` (further guards may still refuse them). */
export function actionsFrom(state: IssueState): ActionId[] {
  return (Object.keys(TRANSITIONS) as ActionId[]).filter((a) => TRANSITIONS[a].from.includes(state));
}

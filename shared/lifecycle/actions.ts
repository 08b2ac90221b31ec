// The action vocabulary of DESIGN §3 and the roles allowed to perform each. Kept apart from the transition
// logic so policies, schemas and the UI can import the list without pulling in the state machine.

import type { Role } from '../roles.ts';
import type { PendingKind } from './issue-core.ts';

export const ACTION_IDS = [
  'dispatch',
  'sign',
  'return',
  'transfer',
  'add_co_unit',
  'suspend',
  'approve_suspend',
  'resume',
  'approve_resume',
  'deny_request',
  'request_extension',
  'approve_extension',
  'note',
  'consult',
  'consult_input',
  'decide',
  'reply',
  'verify',
  'send_back',
  'callback',
  'rate',
  'verify_rating',
  'merge',
  'reject',
  'reopen',
  'urge',
  'supervise',
  'bulletin',
  'escalate',
  'request_callback',
  'reclassify',
  'assign',
] as const;

export type ActionId = (typeof ACTION_IDS)[number];

export function isActionId(value: unknown): value is ActionId {
  return typeof value === 'string' && (ACTION_IDS as readonly string[]).includes(value);
}

export const ACTION_LABELS: Readonly<Record<ActionId, string>> = Object.freeze({
  dispatch: '分办',
  sign: '签收',
  return: '退单',
  transfer: '转派',
  add_co_unit: '加派协办单位',
  suspend: '申请挂起',
  approve_suspend: '批准挂起',
  resume: '申请解挂',
  approve_resume: '批准解挂',
  deny_request: '驳回申请',
  request_extension: '申请延期',
  approve_extension: '批准延期',
  note: '办理进展',
  consult: '提请会商',
  consult_input: '会商意见',
  decide: '会商决定',
  reply: '回单',
  verify: '审核通过',
  send_back: '审核退回',
  callback: '回访',
  rate: '评价',
  verify_rating: '差评核实',
  merge: '合并',
  reject: '不予受理',
  reopen: '重新启动',
  urge: '催办',
  supervise: '督办',
  bulletin: '通报',
  escalate: '提级协调',
  request_callback: '生成回访任务',
  reclassify: '重新分类',
  assign: '指派经办人',
});

const UNIT: Role[] = ['handler', 'unit_head'];
const CENTRE: Role[] = ['clerk', 'dispatcher', 'director'];
const APPROVERS: Role[] = ['dispatcher', 'director'];

/**
 * Which staff roles may perform each action (DESIGN §7). `admin` configures the system and never handles
 * issues, so it appears nowhere. Unit scoping (a handler acts on their own unit's issues only) is the policy
 * layer's job; this table only answers "may this role ever do this".
 */
export const ACTION_ROLES: Readonly<Record<ActionId, readonly Role[]>> = Object.freeze({
  dispatch: CENTRE,
  sign: UNIT,
  return: UNIT,
  transfer: ['dispatcher', 'director'],
  add_co_unit: ['dispatcher', 'director', 'leader'],
  suspend: UNIT,
  approve_suspend: APPROVERS,
  resume: [...UNIT, ...APPROVERS],
  approve_resume: APPROVERS,
  deny_request: APPROVERS,
  request_extension: UNIT,
  approve_extension: APPROVERS,
  note: ['clerk', 'dispatcher', 'handler', 'unit_head', 'director', 'leader', 'supervisor'],
  consult: ['dispatcher', 'director', 'leader'],
  consult_input: UNIT,
  decide: ['director', 'leader'],
  reply: UNIT,
  verify: CENTRE,
  send_back: CENTRE,
  callback: ['clerk', 'dispatcher'],
  rate: ['clerk', 'dispatcher'],
  verify_rating: APPROVERS,
  merge: CENTRE,
  reject: CENTRE,
  reopen: ['dispatcher', 'director', 'leader', 'supervisor'],
  urge: ['supervisor', 'director', 'leader'],
  supervise: ['supervisor', 'director', 'leader'],
  bulletin: ['supervisor', 'director'],
  escalate: ['director', 'leader'],
  request_callback: ['clerk', 'dispatcher'],
  // Correcting the category or urgency; each correction also teaches the classifier (server/text).
  reclassify: CENTRE,
  // Within the lead unit, to one of its active handlers (checked by the server, which knows the users).
  assign: ['unit_head'],
});

/** The action that approves each kind of pending request (its approvers are that action's roles). */
export const APPROVE_ACTIONS: Readonly<Record<PendingKind, ActionId>> = Object.freeze({
  suspend: 'approve_suspend',
  resume: 'approve_resume',
  extension: 'approve_extension',
});

/** Actions the public QR page may perform for a verified enterprise owner. */
export const ENTERPRISE_ACTIONS: readonly ActionId[] = Object.freeze(['rate'] as ActionId[]);

/** Actions the system performs on its own (as the `system` actor): intake auto-dispatch and the sweep. */
export const SYSTEM_ACTIONS: readonly ActionId[] = Object.freeze([
  'dispatch',
  'urge',
  'supervise',
  'bulletin',
  'escalate',
  'request_callback',
] as ActionId[]);

export function roleMayPerform(role: Role, action: ActionId): boolean {
  return ACTION_ROLES[action].includes(role);
}

/**
 * The action (and body) each sweep follow-up step fires as the system. Steps are named after their action,
 * except three urges with a target: the consultation reminder, aimed at the consulted units that still owe
 * input, 催签, aimed at the lead unit that has not signed for the issue, and the reminder of a bad rating's
 * check, aimed at the centre.
 */
export function followUpAction(step: string): { action: ActionId; input: Record<string, unknown> } {
  if (step === 'remind_input') return { action: 'urge', input: { target: 'consultation' } };
  if (step === 'remind_sign') return { action: 'urge', input: { target: 'sign' } };
  if (step === 'remind_rating_check') return { action: 'urge', input: { target: 'rating_check' } };
  if (!isActionId(step)) throw new RangeError(`unknown follow-up step: ${step}`);
  return { action: step, input: {} };
}

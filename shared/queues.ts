// The to-do queues' ids and names, one list for the server (server/workbench/queues.ts says which issues each
// holds) and the workbench (a tile, a desk tab and the list's 待办 tag read the same words).

export const UNIT_QUEUES = [
  'mine',
  'toSign',
  'inProgress',
  'dueSoon',
  'overdue',
  'returned',
  'consultInput',
  'rectify',
] as const;
export const CENTRE_QUEUES = [
  'triage',
  'approval',
  'convene',
  'verify',
  'ratingCheck',
  'callback',
  'deadLetters',
] as const;
/** The supervisor's (督查) follow-up lists: issues being handled under 督办 or 通报, and the city's overdue ones. */
export const SUPERVISION_QUEUES = ['supervised', 'bulletined', 'cityOverdue'] as const;
export const QUEUE_IDS = [...UNIT_QUEUES, ...CENTRE_QUEUES, ...SUPERVISION_QUEUES] as const;
export type QueueId = (typeof QUEUE_IDS)[number];

export const QUEUE_LABELS: Readonly<Record<QueueId, string>> = Object.freeze({
  mine: '我经办的',
  toSign: '待签收',
  inProgress: '办理中',
  dueSoon: '即将到期',
  overdue: '已超期',
  returned: '答复被退回',
  consultInput: '待会商意见',
  rectify: '差评整改',
  triage: '待受理分办',
  approval: '待审批',
  convene: '待会商决定',
  verify: '待审核答复',
  ratingCheck: '差评待核实',
  callback: '待回访',
  deadLetters: '接入失败',
  supervised: '督办中',
  bulletined: '已通报',
  cityOverdue: '全市超期',
});

// The variables of a notification template ({{number}}, {{deadline}}): one pattern, one length bound and one
// check for the server, which renders and validates templates (server/notify/templates.ts), and for the admin's
// template editor, which names a variable the event does not have before saving.

/** The longest template an admin may store. */
export const TEMPLATE_MAX_CHARS = 500;

/** `{{ name }}` in a template; global, so use it with matchAll or replace. */
export const TEMPLATE_VARIABLE = /\{\{\s*([a-zA-Z]+)\s*\}\}/g;

/** The variables `text` uses that `allowed` does not list, in order of use. */
export function unknownVariables(text: string, allowed: readonly string[]): string[] {
  return [...text.matchAll(TEMPLATE_VARIABLE)].map((m) => m[1]).filter((name) => !allowed.includes(name));
}

/** Each variable's name on the admin's template editor (every event's variables have one). */
export const VARIABLE_LABELS: Readonly<Record<string, string>> = Object.freeze({
  number: '编号',
  title: '标题',
  enterprise: '企业',
  unit: '承办单位',
  state: '状态',
  deadline: '时限',
  link: '进度链接',
  signBy: '签收时限',
  due: '到期说明',
  instruction: '批示',
  tier: '会商层级',
  inputDue: '意见截止',
  request: '申请事项',
  decision: '审批结果',
  channel: '渠道',
  reason: '原因',
  limit: '条数',
  until: '暂停至',
  role: '牵头/协办',
  leadUnit: '牵头单位',
  memberCount: '合并件数',
  text: '答复内容',
  files: '未收到的附件',
  redone: '整改标注',
  choice: '评价选项',
  ask: '按岗位的要求',
});

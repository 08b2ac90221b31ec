// Chinese message templates, one per notification event (issue 8). Admins edit them through
// PUT /api/settings/notifyTemplates {value:{<event>: <text>}}; an edit may use only the variables listed for
// its event, so a typo is refused when saved instead of reaching an owner as "{{unitt}}". Pure: rendering and
// validation take the template text and the variables.
import { z } from 'zod';
import { TEMPLATE_MAX_CHARS, TEMPLATE_VARIABLE, unknownVariables } from '../../shared/template-variables.ts';

export const NOTIFY_EVENTS = [
  'issue_assigned',
  'issue_reassigned',
  'issue_transferred',
  'issue_moved_away',
  'issue_reclassified',
  'issue_returned',
  'reply_sent_back',
  'triage_due',
  'triage_overdue',
  'sign_due',
  'urge',
  'supervise',
  'supervise_feedback',
  'red',
  'overdue',
  'escalation',
  'bulletin',
  'consult_invite',
  'consult_convene',
  'consult_opened',
  'input_due',
  'decision',
  'rectification_assigned',
  'bad_rating',
  'enterprise_supplement',
  'callback_due',
  'rating_check_due',
  'approval_requested',
  'approval_decided',
  'dead_letter',
  'qr_codes_paused',
  'enterprise_received',
  'source_merged',
  'source_added',
  'rating_howto',
  'reply_dissatisfied',
  'attachments_refused',
  'enterprise_dispatched',
  'enterprise_reply',
  'enterprise_class_reply',
  'class_problem_unit',
  'enterprise_rectification',
  'pushback_reply',
  'pushback_outcome',
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

const ISSUE_VARS = ['number', 'title', 'enterprise', 'unit', 'state', 'deadline', 'link'] as const;

export interface EventSpec {
  label: string;
  /** Who hears it (documentation for the admin screen). */
  audience: string;
  variables: readonly string[];
  template: string;
}

const spec = (
  label: string,
  audience: string,
  template: string,
  extra: readonly string[] = [],
  base: readonly string[] = ISSUE_VARS,
): EventSpec => ({ label, audience, template, variables: [...base, ...extra] });

export const EVENT_SPECS: Readonly<Record<NotifyEvent, EventSpec>> = Object.freeze({
  issue_assigned: spec(
    '新问题分办',
    '承办单位经办人、负责人',
    '新问题{{number}}「{{title}}」已分办至{{unit}}，请于{{signBy}}前签收、{{deadline}}前办结。',
    ['signBy'],
  ),
  issue_reassigned: spec(
    '指派经办',
    '被指派的经办人',
    '单位负责人将问题{{number}}「{{title}}」指派给您办理，请于{{deadline}}前办结。',
  ),
  // The person's reason goes with each of these three (the form requires one).
  issue_transferred: spec(
    '问题转办',
    '新承办单位经办人、负责人',
    '问题{{number}}「{{title}}」转交{{unit}}办理（{{reason}}），请于{{signBy}}前签收、{{deadline}}前办结。',
    ['reason', 'signBy'],
  ),
  issue_moved_away: spec(
    '问题已转出',
    '原承办单位经办人、负责人',
    '问题{{number}}「{{title}}」已转交{{unit}}办理（{{reason}}），贵单位无需继续办理。',
    ['reason'],
  ),
  issue_reclassified: spec(
    '时限调整',
    '承办单位经办人、负责人',
    '问题{{number}}「{{title}}」的紧急程度已由服务中心调整（{{reason}}），办理时限随之更新：请于{{signBy}}前签收、{{deadline}}前办结。',
    ['reason', 'signBy'],
  ),
  issue_returned: spec(
    '退单待重新分办',
    '服务中心',
    '问题{{number}}「{{title}}」被承办单位退回（{{reason}}），请在受理分办台「待受理分办」中重新分办。',
    ['reason'],
  ),
  reply_sent_back: spec(
    '答复被退回',
    '承办单位经办人、负责人',
    '问题{{number}}「{{title}}」的答复被服务中心退回（{{reason}}），请于{{deadline}}前重新答复。',
    ['reason'],
  ),
  triage_due: spec(
    '待受理催办',
    '服务中心',
    '问题{{number}}「{{title}}」待受理即将超时（{{deadline}}），请尽快分办。',
  ),
  // {{ask}} is each reader's part (notice-text.ts ASKS): the desks that triage (受理员, 分办员) are asked to
  // dispatch; the director, the supervisor and the leaders, who do not work the queue, that the centre has not.
  triage_overdue: spec(
    '待受理超时',
    '服务中心、督查、市领导',
    '问题{{number}}「{{title}}」待受理已超时（{{deadline}}），{{ask}}。',
    ['ask'],
  ),
  // {{due}} names the deadline running in the issue's state (分办时限, 签收时限 while it waits to be signed for,
  // else 办结时限; the sweep's light-driven 催办, 督办 and 通报 name the 办结时限 whose light fired) and reads
  // 将于…到期, or 已于…到期 when it had passed as the notice was written (a sweep
  // catching up after downtime): a notice never promises a future that is already past.
  // {{instruction}}: what a leader, the supervisor or the centre wrote when urging by hand (empty for the sweep).
  // The sweep's 催签: nobody signed for the issue within its sign-for limit ({{due}}: 签收时限已于…到期).
  sign_due: spec(
    '催签',
    '承办单位经办人、负责人',
    '【催签】问题{{number}}「{{title}}」{{due}}，请尽快签收；不属本单位职责的，请填写理由退单。{{instruction}}',
    ['due', 'instruction'],
  ),
  urge: spec(
    '催办',
    '承办单位经办人、负责人',
    '【催办】问题{{number}}「{{title}}」{{due}}，请抓紧办理。{{instruction}}',
    ['due', 'instruction'],
  ),
  supervise: spec(
    '督办',
    '承办单位经办人、负责人',
    '【督办】问题{{number}}「{{title}}」{{due}}，请立即办理并反馈。{{instruction}}',
    ['due', 'instruction'],
  ),
  supervise_feedback: spec(
    '督办反馈',
    '督办人（市领导、督查、服务中心）',
    '【督办反馈】您督办的问题{{number}}「{{title}}」已由{{unit}}答复，待服务中心审核后告知企业。',
  ),
  red: spec(
    '红灯预警',
    '督查、市领导',
    '问题{{number}}「{{title}}」（{{unit}}）已亮红灯，时限{{deadline}}。',
  ),
  overdue: spec(
    '超期',
    '督查、市领导',
    '问题{{number}}「{{title}}」（{{unit}}）已超期，原定时限{{deadline}}。',
  ),
  escalation: spec('提级协调', '督查、市领导、会商单位', '问题{{number}}「{{title}}」已提级至{{tier}}。', [
    'tier',
  ]),
  bulletin: spec(
    '通报',
    '督查、市领导、承办单位',
    '【通报】问题{{number}}「{{title}}」（{{unit}}）{{due}}，予以通报。{{instruction}}',
    ['due', 'instruction'],
  ),
  consult_invite: spec(
    '会商邀请',
    '会商单位经办人、负责人',
    '问题{{number}}「{{title}}」进入{{tier}}会商，请于{{inputDue}}前提交会商意见。',
    ['tier', 'inputDue'],
  ),
  consult_opened: spec(
    '问题提请会商',
    '不在会商名单中的承办单位',
    '问题{{number}}「{{title}}」已提请{{tier}}会商，承办单位和时限由会商决定；决定前请暂停办理，留意会商结果。',
    ['tier'],
  ),
  consult_convene: spec(
    '会商主持',
    '中心主任（主任协调）或问题所在地的市、县领导（领导协调）',
    '问题{{number}}「{{title}}」提请{{tier}}，会商单位意见截止{{inputDue}}，请主持会商并作出办理决定。',
    ['tier', 'inputDue'],
  ),
  input_due: spec(
    '会商意见到期',
    '未提交意见的会商单位',
    '问题{{number}}「{{title}}」的会商意见已到期（{{inputDue}}），请立即提交。',
    ['tier', 'inputDue'],
  ),
  decision: spec(
    '会商决定',
    '牵头单位、协办单位',
    '问题{{number}}「{{title}}」会商决定由{{unit}}牵头办理，时限{{deadline}}。{{instruction}}',
    ['instruction'],
  ),
  rectification_assigned: spec(
    '差评整改',
    '承办单位经办人、负责人',
    '问题{{number}}「{{title}}」差评经核实合理，请于{{deadline}}前整改。',
  ),
  // {{ask}}: only 分办员 and 中心主任 may check a bad rating (verify_rating); the 受理员 reads who will.
  bad_rating: spec('差评', '服务中心', '问题{{number}}「{{title}}」收到差评，{{ask}}。', ['ask']),
  enterprise_supplement: spec(
    '企业补充材料',
    '承办单位经办人、负责人（待受理时为服务中心）',
    '问题{{number}}「{{title}}」企业补充了说明或材料，请查看。',
  ),
  // {{ask}}: only 受理员 and 分办员 record a callback; the director is asked to press them.
  callback_due: spec('待回访', '服务中心', '问题{{number}}「{{title}}」企业未在期限内评价，{{ask}}。', [
    'ask',
  ]),
  // The sweep's reminder of a bad rating nobody checked in time ({{due}}: 核实时限已于…到期; {{ask}} as for 差评).
  rating_check_due: spec(
    '差评待核实超时',
    '服务中心',
    '【差评核实】问题{{number}}「{{title}}」企业差评的{{due}}，{{ask}}。',
    ['due', 'ask'],
  ),
  approval_requested: spec(
    '待审批申请',
    '服务中心分办员、中心主任（有审批权的岗位）',
    '{{unit}}申请{{request}}：问题{{number}}「{{title}}」，当前时限{{deadline}}，请在受理分办台「待审批」中审批。',
    ['request'],
  ),
  approval_decided: spec(
    '审批结果',
    '承办单位经办人、负责人',
    '您单位对问题{{number}}「{{title}}」的{{decision}}。当前办结时限{{deadline}}。',
    ['decision'],
  ),
  dead_letter: spec(
    '渠道消息处理失败',
    '服务中心',
    '{{channel}}渠道有一条消息未能受理：{{reason}}。',
    ['channel', 'reason'],
    [],
  ),
  // The QR page stopped sending codes to an enterprise's mobile for the day (routes/public/qr-send-quota.ts).
  qr_codes_paused: spec(
    '企业码验证码暂停',
    '服务中心',
    '企业「{{enterprise}}」的企业码今日已向登记手机发送{{limit}}条验证码，短信验证码已暂停至{{until}}，可能有人在反复获取。企业负责人来电时，请核实身份后协助验证或重新设置 PIN；如企业码外泄，可更换企业码。',
    ['enterprise', 'limit', 'until'],
    [],
  ),
  enterprise_received: spec(
    '受理回执',
    '企业',
    '您反映的问题已受理，编号{{number}}。可扫描企业码查看进度：{{link}}',
  ),
  source_merged: spec(
    '合并受理告知',
    '企业',
    '您反映的问题与正在办理的{{number}}相同，已并入该件一并办理。可扫描企业码查看进度：{{link}}',
  ),
  source_added: spec(
    '补充内容告知',
    '企业（原会话的来件人）',
    '您在原会话中补充的内容已记入问题{{number}}，工作人员会一并查看。可扫描企业码查看进度：{{link}}',
  ),
  // A reply of 满意 or 不满意 in the mail thread: a rating is given on the QR page only (DESIGN §6).
  // {{choice}}: what to choose there, as the reply said it (outbox-drafts.ts varsOf).
  rating_howto: spec(
    '评价方式告知',
    '企业（原会话的来件人）',
    '已收到您对问题{{number}}办理结果的回复，回复不计为评价。办理结果的评价只能在企业码页面提交：请扫描企业码，{{choice}}：{{link}}',
    ['choice'],
  ),
  reply_dissatisfied: spec(
    '企业回复不满意',
    '服务中心',
    '问题{{number}}「{{title}}」企业在原会话中回复对办理结果不满意（尚未在企业码评价），{{ask}}。',
    ['ask'],
  ),
  // {{files}}: how many were not kept, each with its reason (超过10MB, 类型不支持, 超过5个上限).
  attachments_refused: spec(
    '附件未收到告知',
    '发来附件的企业（原渠道）',
    '您就问题{{number}}发来的材料中，{{files}}。如需提供，请改为图片或PDF、压缩到10MB以内后重新发送，或扫描企业码补充：{{link}}',
    ['files'],
  ),
  enterprise_dispatched: spec(
    '分办告知',
    '企业',
    '您的问题{{number}}已交由{{unit}}办理，预计{{deadline}}前办结。',
  ),
  // {{redone}}: 经整改 for the answer after a bad rating's rectification, else empty.
  enterprise_reply: spec(
    '办理结果',
    '企业',
    '您的问题{{number}}{{redone}}已办理完毕，请扫描企业码查看答复并评价：{{link}}',
    ['redone'],
  ),
  enterprise_class_reply: spec(
    '类问题统一答复',
    '企业',
    '您的问题{{number}}已与其他企业的同类问题合并办理并形成统一答复，经服务中心审核后可扫描企业码查看并评价：{{link}}',
  ),
  // A class problem promoted with a lead unit and co-units (server/classes): each unit hears its part once.
  class_problem_unit: spec(
    '类问题牵头协办',
    '类问题的牵头单位、协办单位经办人、负责人',
    '类问题{{role}}「{{number}} {{title}}」：牵头单位{{leadUnit}}，{{memberCount}}件同类问题合并办理，办理时限{{deadline}}。',
    ['role', 'leadUnit', 'memberCount'],
    ['number', 'title', 'deadline'],
  ),
  enterprise_rectification: spec(
    '整改告知',
    '企业',
    '您对问题{{number}}的差评已核实，{{unit}}将于{{deadline}}前整改。',
  ),
  // The origin's own channel (the 12345 callback): the verified answer, then how it ended (已办结 with the
  // rating, or 不予受理 with the reason).
  pushback_reply: spec('办理答复回传', '来源渠道（12345等）', '{{text}}', ['text']),
  pushback_outcome: spec('办结结果回传', '来源渠道（12345等）', '{{state}}：{{text}}', ['text']),
});

export type Templates = Readonly<Record<NotifyEvent, string>>;
export const DEFAULT_TEMPLATES: Templates = Object.freeze(
  Object.fromEntries(NOTIFY_EVENTS.map((e) => [e, EVENT_SPECS[e].template])) as Record<NotifyEvent, string>,
);

/** Replaces `{{name}}` with its value; a missing value renders empty. */
export function render(template: string, vars: Readonly<Record<string, string | undefined>>): string {
  return template.replace(TEMPLATE_VARIABLE, (_, name: string) => vars[name] ?? '');
}

/** The stored admin edits over the defaults (unknown or invalid stored keys are ignored). */
export function templatesOf(stored: unknown): Templates {
  const parsed = templatesSchema.safeParse(stored ?? {});
  return Object.freeze({ ...DEFAULT_TEMPLATES, ...(parsed.success ? parsed.data : {}) });
}

/** `PUT /api/settings/notifyTemplates`: known events only, each using only its variables. */
export const templatesSchema = z
  .partialRecord(
    z.enum(NOTIFY_EVENTS, { error: '未知的通知事件' }),
    z.string().trim().min(1).max(TEMPLATE_MAX_CHARS),
  )
  .superRefine((value, ctx) => {
    for (const [event, text] of Object.entries(value) as Array<[NotifyEvent, string]>) {
      const allowed = EVENT_SPECS[event].variables;
      for (const name of unknownVariables(text, allowed)) {
        ctx.addIssue({
          code: 'custom',
          path: [event],
          message: `模板「${EVENT_SPECS[event].label}」不能使用变量 {{${name}}}，可用：${allowed.join('、')}`,
        });
      }
    }
  });

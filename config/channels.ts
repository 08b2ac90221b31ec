// The twelve intake channels of DESIGN §2 with how each arrives in a real deployment and how replies go back.
// Channel adapters live under server/channels/<id>/; this is the catalogue admins and the UI read.

import { CHANNEL_IDS, CHANNEL_LABELS, type ChannelId } from '../shared/states.ts';
import { MEETING_PROMISE } from './time-limits.ts';

export type Transport =
  'webhook' | 'api' | 'form' | 'staff' | 'batch' | 'smtp' | 'gateway' | 'wechat' | 'internal';

export interface ChannelDef {
  id: ChannelId;
  name: string;
  transports: readonly Transport[];
  /** How the message arrives, for admins wiring the deployment. */
  inbound: string;
  /** How the answer goes back to the enterprise. */
  reply: string;
  /** The channel's own service promise, when it has one. */
  promise?: string;
}

const def = (
  id: ChannelId,
  transports: Transport[],
  inbound: string,
  reply: string,
  promise?: string,
): ChannelDef => ({
  id,
  name: CHANNEL_LABELS[id],
  transports,
  inbound,
  reply,
  ...(promise ? { promise } : {}),
});

export const CHANNELS: readonly ChannelDef[] = Object.freeze([
  def('hotline12345', ['webhook'], '12345热线平台推送JSON工单（HMAC签名）', '办理结果推送回热线平台'),
  def('zheliban', ['api'], '浙里办/政务服务网通过JSON接口提交（按渠道分配密钥）', '通过接口回传办理结果'),
  def('qr', ['form'], '企业扫描企业码后在公开页面提交', '企业码页面展示进度与答复'),
  def('window', ['staff'], '综合窗口工作人员在工作台录入', '窗口或电话答复，企业码同步可查'),
  def(
    'meeting',
    ['batch', 'staff'],
    '政企恳谈会记录批量导入（CSV/XLSX）',
    '逐条答复并100%回访',
    `${MEETING_PROMISE.dispatchWithinWorkingDays}个工作日内分办，两周（${MEETING_PROMISE.answerWithinWorkingDays}个工作日）内答复，100%回访`,
  ),
  def('visit', ['staff', 'batch'], '领导干部走访调研后录入或批量导入', '由走访责任人反馈，企业码同步可查'),
  def('review', ['webhook'], '好差评平台推送差评', '回传整改结果至好差评平台'),
  def('email', ['smtp'], '电子邮件（SMTP接收或IMAP轮询）', '通过SMTP邮件回复'),
  def('sms', ['gateway'], '短信网关上行推送', '通过短信网关回复'),
  def('wechat', ['wechat'], '微信公众号/小程序服务器推送（XML，签名校验）', '通过公众号客服消息回复'),
  def(
    'deputy',
    ['staff', 'batch'],
    '人大建议、政协提案、信访件由工作人员录入或批量导入',
    '按建议提案办理规定书面答复',
  ),
  def(
    'discovery',
    ['internal'],
    '部门上报、数据预警等主动发现，经内部接口提交',
    '主动联系企业并在企业码公开进度',
  ),
]);

export function channelDef(id: ChannelId): ChannelDef {
  const found = CHANNELS.find((c) => c.id === id);
  if (!found) throw new RangeError(`未知的渠道：${id}`);
  return found;
}

/** Every channel id has exactly one definition (checked by the unit tests). */
export const CHANNEL_COUNT = CHANNEL_IDS.length;

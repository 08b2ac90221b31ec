// What the official account says and does for each push (pure): an openid not yet bound to an enterprise is
// asked for the credit code; a text carrying a valid code binds it (and files whatever else the text says);
// a bound openid's texts and images are filed as issues. An unbound follower's complaint, or picture, is filed
// too (the pipeline registers a provisional enterprise for the centre to confirm, as for any unknown sender:
// nothing accepted is dropped), and the reply asks for the code. Voice, video and other kinds are answered with
// a request for text or a picture. A bound follower's bare courtesy (谢谢, 好的, 收到, 您好) is answered, not filed:
// it answers the centre's reply and is no problem to handle. A bare rating (满意, 不满意, 差评), typed or spoken
// (a voice message's transcript), while one of the enterprise's issues awaits its rating is kept on that issue as
// a reply, as an SMS one is (intake/thread.ts): the reply says where to rate, a 不满意 reaches the centre, and
// nothing is recorded as a rating. The replies are Chinese and name the issue number; a picture alone is taken in
// under its number and its words asked for, which then describe its issue (intake/picture-words.ts).
import type { IntakeAck, InboundMessage } from '../types.ts';
import { contactInText } from '../contact-in-text.ts';
import {
  isBareRating,
  isCourtesy,
  isDissatisfied,
  ratingChoice,
  saysNothing,
  TRANSCRIPT_LABEL,
} from '../courtesy.ts';
import { findCreditCode } from '../credit-code-in-text.ts';
import type { WechatPush } from './wechat.adapter.ts';

export type WechatStep =
  | { kind: 'reply'; text: string }
  | { kind: 'bind'; creditCode: string; complaint?: string }
  /**
   * A bound follower's text; `complaint` when it came with the bound code, which is left out; `ratingReply`
   * for a bare 满意 or 不满意, filed only as the reply to an issue awaiting its rating (else answered as courtesy).
   */
  | { kind: 'file'; complaint?: string; ratingReply?: boolean }
  /** A complaint or picture from a follower not bound yet: filed for a provisional enterprise, code asked for. */
  | { kind: 'file-unbound' }
  | { kind: 'silent' };

/**
 * A text at least this long from an unbound follower, not only courtesy and not only the wish to raise something
 * (你好，我们有问题要反映), is a complaint to file: 厂门口路灯坏了 (7) is one, 有问题 or 在吗 is not. It was 15,
 * which turned 厂门口路灯坏了没人修 away unrecorded.
 */
export const UNBOUND_COMPLAINT_CHARS = 6;

export const WECHAT_TEXT = Object.freeze({
  askCode:
    '您好！这里是涉企问题受理平台。首次使用请先发送贵企业的18位统一社会信用代码完成绑定，之后可直接发送文字或图片反映问题。',
  invalidCode: (code: string) =>
    `统一社会信用代码“${code}”校验未通过，请核对后重新发送（18位，最后一位为校验位）。`,
  welcomeBack: '欢迎回来！请直接发送您要反映的问题，可附图片。',
  unsupported: '暂只支持文字和图片消息，请用文字描述您要反映的问题。',
  emptyText: '请用文字描述您要反映的问题。',
  askCodeAfterFiling: '为便于核实和联系，请发送贵企业的18位统一社会信用代码完成绑定。',
  bound: (code: string, name?: string) =>
    name ? `已绑定企业：${name}（${code}）。` : `已绑定统一社会信用代码 ${code}。`,
  askComplaint: '请直接发送您要反映的问题，可附图片。',
  adopted: (numbers: readonly string[]) => `您此前反映的问题（${numbers.join('、')}）已归入贵企业办理。`,
  courtesy:
    '收到，感谢您的反馈！如有新的问题，请直接用文字描述，可附图片；办理进度和对办理结果的评价（满意或不满意），请企业负责人在企业码页面查看和提交。',
  /** A bare 满意 or 不满意 kept as the reply to the issue awaiting its rating (评价方式告知, by the passive reply). */
  ratingHowto: (number: string, satisfied: boolean) =>
    `已收到您对问题${number}办理结果的回复，回复不计为评价。办理结果的评价只能在企业码页面提交：请企业负责人扫描企业码，${ratingChoice(satisfied)}。`,
});

/** The next step for a push from an openid bound to `boundCode` (or not bound). */
export function nextStep(push: WechatPush, boundCode: string | undefined): WechatStep {
  switch (push.msgType) {
    case 'event':
      if (push.event !== 'subscribe') return { kind: 'silent' };
      return { kind: 'reply', text: boundCode ? WECHAT_TEXT.welcomeBack : WECHAT_TEXT.askCode };
    case 'other':
      return { kind: 'reply', text: boundCode ? WECHAT_TEXT.unsupported : WECHAT_TEXT.askCode };
    case 'image':
      return boundCode ? { kind: 'file' } : { kind: 'file-unbound' };
    case 'text': {
      const found = findCreditCode(push.content ?? '');
      // A code names the enterprise to bind to (again, when sent alone); the code it is bound to already,
      // beside a complaint, is only the text's signature. Courtesy beside the code (<code> 你好, 谢谢) binds and
      // files nothing, as it would from a bound follower.
      if (found.code && (found.code !== boundCode || !found.rest)) {
        const complaint = found.rest && !isCourtesy(found.rest) ? { complaint: found.rest } : {};
        return { kind: 'bind', creditCode: found.code, ...complaint };
      }
      if (!boundCode) {
        if (found.invalid) return { kind: 'reply', text: WECHAT_TEXT.invalidCode(found.invalid) };
        const words = (found.rest ?? '').replace(/\s/g, '');
        return [...words].length >= UNBOUND_COMPLAINT_CHARS && !saysNothing(words)
          ? { kind: 'file-unbound' }
          : { kind: 'reply', text: WECHAT_TEXT.askCode };
      }
      if (!found.rest) return { kind: 'reply', text: WECHAT_TEXT.emptyText };
      const complaint = found.code ? { complaint: found.rest } : {};
      if (isCourtesy(found.rest))
        return isBareRating(found.rest)
          ? { kind: 'file', ...complaint, ratingReply: true }
          : { kind: 'reply', text: WECHAT_TEXT.courtesy };
      return { kind: 'file', ...complaint };
    }
  }
}

/**
 * The text of a picture sent without words: its issue holds this until the sender's words come, which then
 * become its content (intake/picture-words.ts).
 */
export const PICTURE_ONLY_CONTENT = '（企业通过微信公众号发送了一张图片，见附件）';

/** The message the pipeline files for a push (the complaint text replaces the content when a code came with it). */
export function inboundOf(
  push: WechatPush,
  creditCode: string | undefined,
  content?: string,
): InboundMessage {
  const image = push.msgType === 'image';
  const said = content ?? push.content ?? '';
  // A voice message's text is WeChat's transcript, which staff should read as such.
  const text = image ? PICTURE_ONLY_CONTENT : push.rawType === 'voice' ? `${TRANSCRIPT_LABEL}${said}` : said;
  return {
    channel: 'wechat',
    // WeChat retries a push it got no answer to with the same MsgId; events have none.
    externalId: push.msgId ?? `${push.openid}:${push.createTime}`,
    // When the follower sent it (来件时间), if WeChat's stamp is believable; else when it arrived.
    ...(push.sentAt ? { receivedAt: push.sentAt, raisedAt: push.sentAt } : {}),
    content: text,
    enterprise: creditCode ? { creditCode } : {},
    // The follower, and the name and number the text offers to be called on (联系人…手机…).
    contact: { ...contactInText(text), openid: push.openid },
    ...(image ? { filesOnly: true } : {}),
    ...(image && push.mediaId
      ? { attachments: [{ filename: '微信图片.jpg', contentType: 'image/jpeg', mediaId: push.mediaId }] }
      : {}),
  };
}

/**
 * The acknowledgement in Chinese, with the issue number: a picture that joined an issue is said to be added; a
 * picture alone is taken in and its words asked for; words describing it are said to be filed with it.
 */
export function ackText(
  ack: IntakeAck,
  msg?: Pick<InboundMessage, 'filesOnly' | 'ratingReply' | 'content'>,
): string {
  // A bare rating that joined the issue awaiting it; one whose issue moved meanwhile was not kept.
  if (msg?.ratingReply)
    return ack.number && (ack.status === 'merged' || ack.status === 'duplicate')
      ? WECHAT_TEXT.ratingHowto(ack.number, !isDissatisfied(msg.content))
      : WECHAT_TEXT.courtesy;
  if (msg?.filesOnly && ack.status === 'merged')
    return `已收到您发送的图片，已补充到问题 ${ack.number}，工作人员会一并查看。`;
  if (msg?.filesOnly && ack.status === 'created')
    return `已收到您发送的图片，受理编号：${ack.number}。请接着用文字简要描述您要反映的问题（如地点、情况、持续多久），我们会与图片一并登记办理。`;
  if (ack.describes)
    return `已收到您的文字描述，已与您刚才发送的图片一并登记，受理编号：${ack.number}。企业负责人可在企业码页面查看办理进度。`;
  switch (ack.status) {
    case 'created':
      // A follower is not the owner (anyone may send a credit code): the code is the owner's to scan.
      return `已受理您反映的问题，受理编号：${ack.number}。企业负责人可在企业码页面查看办理进度。`;
    case 'duplicate':
      return `该问题已受理，受理编号：${ack.number}。`;
    case 'merged':
      return `您反映的问题与已受理的问题相同，已合并办理，受理编号：${ack.number}。`;
    case 'queued':
      return '已收到您反映的问题，正在登记，受理编号稍后告知。';
    case 'failed':
      return `已收到您的消息，但暂未能自动登记（${ack.reason ?? '原因不明'}），工作人员会尽快处理。`;
  }
}

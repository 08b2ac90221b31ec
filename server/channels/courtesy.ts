// A message that is only courtesy (谢谢！, 好的收到, 您好): an answer to the centre's own message or a greeting,
// with no problem in it to handle. So is a bare reply to one of the centre's texts: a rating (满意, 不满意, 差评;
// the rating itself is given on the QR page), an SMS unsubscribe code (T, TD, 退订), a stray letter or digit (x, 1);
// filing those made an issue, and its receipt a further SMS to someone who asked for none. WeChat answers it
// without filing (wechat.dialogue.ts; a bound follower's bare rating while an issue awaits it answers that
// issue); an SMS gateway's push of one is refused (sms.adapter.ts; a bare rating from the owner's mobile while
// an issue awaits it answers that issue), and so is a new mail of one
// (email.adapter.ts). Also a message that only says it wants to raise something (你好，我们有问题要
// 反映): the problem is still to come. Pure.

/** Courtesy words only, once punctuation and spaces are gone. */
const COURTESY =
  /^(?:谢谢|多谢|感谢|谢了|好的|好|已?收到|已阅|已?知悉|收悉|了解|明白|知道了|嗯+|哦+|ok|okay|您好|你好|在吗|在不在|有人吗|有人在吗|请问|hi|hello|哈喽|辛苦了|麻烦了|👍|🙏|(?:您|你)们?)+$/iu;
const PUNCTUATION = /[\s,，.。!！?？~～、]/g;

/** What marks a WeChat voice message's text as WeChat's transcript of it (wechat.dialogue.ts inboundOf). */
export const TRANSCRIPT_LABEL = '（语音转文字）';

/** The sender's own words, as these rules read them: without punctuation, spaces or the transcript's label. */
const wordsOf = (text: string) =>
  (text.startsWith(TRANSCRIPT_LABEL) ? text.slice(TRANSCRIPT_LABEL.length) : text).replace(PUNCTUATION, '');

/**
 * A bare reply to the centre's own text: a rating (满意, 好评; 不满意, 差评: the rating is the owner's, given on
 * the QR page, where a bad one reopens the issue with its reasons), an unsubscribe code, or one or two stray
 * letters or digits.
 */
const BARE_REPLY = /^(?:(?:非常|很|挺|比较|基本)?(?:不)?满意|好评|差评|点赞|不好|退订|TD|T|[a-z0-9]{1,2})$/iu;

/**
 * The owner saying the centre's answer did not satisfy them (不满意, 差评, 非常不满意，问题根本没解决): in a reply
 * to the centre's mail this is a rating given in the wrong place. Only the owner rates, on the QR page, where a
 * bad rating is checked and the issue redone; the reply is answered with where to rate, and the centre hears
 * of it (issue-from-message.ts mergeAsSource). Said first, or anywhere in a short reply (对办理结果不满意).
 */
const DISSATISFIED = /^(?:非常|很|十分|特别|极其)?(?:不太?满意|差评)/u;
const SHORT_REPLY = 20;

export function isDissatisfied(text: string): boolean {
  const words = wordsOf(text);
  return DISSATISFIED.test(words) || (words.length <= SHORT_REPLY && /不太?满意|差评/u.test(words));
}

/**
 * A short reply that rates the answer good (满意，谢谢！, 非常满意, 好评): in a reply to the centre's mail the owner
 * believes they rated, but only the QR page rates; the reply is answered with where to rate. A longer text that
 * opens with 满意 says more, and is read as any addition.
 */
const SATISFIED = /^(?:谢谢|感谢|多谢)?(?:非常|很|挺|比较|基本|十分|特别)?(?:满意|好评|点赞)/u;

export function isSatisfied(text: string): boolean {
  const words = wordsOf(text);
  return words.length <= SHORT_REPLY && SATISFIED.test(words) && !isDissatisfied(text);
}

/**
 * A bare reply that rates the centre's answer (满意, 不满意, 差评…): SMS and WeChat file it only as a reply to an
 * issue awaiting its rating (thread.ts ratingReplyIssue), and answer any other courtesy without filing.
 */
export function isBareRating(text: string): boolean {
  return isCourtesy(text) && (isSatisfied(text) || isDissatisfied(text));
}

/** What to choose on the QR page, as a reply rated the answer (评价方式告知: its {{choice}}, WeChat's reply). */
export function ratingChoice(satisfied: boolean): string {
  return satisfied ? '选择“满意”完成评价' : '选择“不满意”并说明原因，服务中心会跟进核实并安排重新办理';
}

export function isCourtesy(text: string): boolean {
  const words = wordsOf(text);
  return words.length > 0 && words.length <= 12 && (COURTESY.test(words) || BARE_REPLY.test(words));
}

/** A greeting, then only the wish to raise something (我们有问题要反映, 想咨询一下): what, is still to come. */
const INTENT =
  /^(?:您好|你好|在吗|请问|hi|hello)*(?:我们|我|本公司|我公司|公司)?(?:这边)?(?:有|想|要|需要)?(?:个|一个|些|点)?(?:问题|事情|事|情况)?(?:要|想|需要)?(?:反映|咨询|投诉|举报|求助|问问|问一下|了解一下)(?:一下)?(?:问题|情况)?$/iu;

export function isIntentOnly(text: string): boolean {
  const words = wordsOf(text);
  return words.length > 0 && words.length <= 20 && INTENT.test(words);
}

/** Courtesy or only the wish to raise something: a message with no problem in it yet. */
export function saysNothing(text: string): boolean {
  return isCourtesy(text) || isIntentOnly(text);
}

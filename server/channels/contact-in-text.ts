// Finds who to call in free text (a mail's body, a WeChat message): "联系人：孙玉兰 13344456064", "联系电话
// 0572-2345678", "王经理，电话13905721234". Senders on these channels often sign off this way, and the handler
// must reach them within 首次联系时限. Pure; shared by the transports whose senders type their contact.

export interface ContactInText {
  name?: string;
  phone?: string;
}

/**
 * A mainland mobile, or a landline with its area code, not inside a longer run of digits, shortly after words
 * that offer it as the way to reach the writer: a complaint's own numbers (供电所电话…一直打不通) are not.
 */
const PHONE =
  /(?:联系人|联系电话|联系方式|联系手机|手机号?|回电)[^\d]{0,12}?((?<!\d)(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d))/;
/** The name after 联系人 (2 to 4 Chinese characters; a title such as 经理 or 主任 may follow it). */
const NAME =
  /联系人(?:姓名)?\s*[:：是为]?\s*([\u4e00-\u9fa5]{2,4}?)(?=[\s,，;；、:：(（]|电话|手机|联系|\d|$)/;

export function contactInText(text: string): ContactInText {
  const phone = PHONE.exec(text)?.[1];
  const name = NAME.exec(text)?.[1];
  return { ...(name ? { name } : {}), ...(phone ? { phone } : {}) };
}

// A message that is only courtesy (谢谢！, 好的收到, 您好): an answer to the centre's own message or a greeting,
// with no problem in it to handle. WeChat answers it without filing (wechat.dialogue.ts); an SMS gateway's
// push of one is refused (sms.adapter.ts). Pure.

/** Courtesy words only, once punctuation and spaces are gone. */
const COURTESY =
  /^(?:谢谢|多谢|感谢|谢了|好的|好|收到|了解|明白|知道了|嗯+|哦+|ok|okay|您好|你好|在吗|辛苦了|麻烦了|👍|🙏|(?:您|你)们?)+$/iu;
const PUNCTUATION = /[\s,，.。!！?？~～、]/g;

export function isCourtesy(text: string): boolean {
  const words = text.replace(PUNCTUATION, '');
  return words.length > 0 && words.length <= 12 && COURTESY.test(words);
}

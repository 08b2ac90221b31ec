// Where a message turns from an earlier matter to another one, for the duplicate check (repeat-features.ts
// turnsToAnother). An enterprise writing again about a new problem often first says where the old one stands
// ("检修停电的时间已经协调到周末了，谢谢。现在反映的是我们的增容申请…", "防火墙的事房东那边还在谈。今天消防大队又通知…"):
// the recap shares the open issue's words, so the word features read the pair as a repeat, and in the tenth and
// eleventh pair sets such pairs were most of the same enterprise's other problems merged. Two signs mark the
// turn, both general wording rather than any problem's words:
// - a phrase that opens another matter (现在反映的是, 这次想咨询的是, 另外, 还有一个事, 新情况, 暂且不说…), not at the
//   message's start;
// - a sentence saying the earlier matter is settled or in hand (已经批了, 处理过了, 还在谈, 还在排队…), with no chase
//   word in it (还没, 到现在…: that is a chase), followed by further sentences.
// The check then asks whether the words after the turn are new to the open issue. Pure; works on normalised
// text (segment.ts normaliseText), split into sentences as the fingerprint splits it.

/** A phrase opening another matter. */
const OPENS_ANOTHER =
  /现在(的问题|反映的|想(反映|问|咨询|说)的?|要(反映|说|问)的?|卡在|是)|这次(想|要)?(反映|咨询|说|问)的?是?|这次是|今天(想|要)?(反映|咨询|问|说)的?是?|另外|此外|还有一(个|件)|另一(个|件)(问题|事)|新(的)?(情况|问题)|暂且不说|先不说|不是(一回事|一个事)/u;
/** From this character on a phrase opens another matter ("另外…" opening a message is no turn). */
const OPENS_FROM = 4;
/** The earlier matter done, or in hand and waiting on someone. */
const SETTLED =
  /(已经?|都)[^。;!?，,]{0,10}(批了|批下来了|撤销|处理过了|处理好了|修好了|解决了|办好了|办结了|协调(好|到)|换了|恢复了|到账了|合格了)|处理过了|修好了|还在[^。;!?，,]{0,8}?(谈|排队|协调|收集|想办法|申诉|等)|说[^。;!?，,]{0,6}(会批|在评估|在办)/u;
/** A chase's words: the matter is not moving, which is the same problem again. */
const STILL_NOT = /还没|没有|到现在|一直/u;

export interface Turn {
  /** The sentence (fingerprint's split) from which the message tells of something else. */
  sentence: number;
  /** The turn follows a sentence saying where the earlier matter stands (that sentence is `sentence - 1`). */
  settled: boolean;
}

/** Where a normalised message turns to another matter, split at `sentenceEnd`; null when it does not. */
export function turnOf(normalised: string, sentenceEnd: RegExp): Turn | null {
  const sentences = normalised.split(sentenceEnd);
  let start = 0;
  for (let s = 0; s < sentences.length; s++) {
    const text = sentences[s];
    const opens = OPENS_ANOTHER.exec(text);
    if (opens && start + opens.index >= OPENS_FROM) return { sentence: s, settled: false };
    if (s + 1 < sentences.length && SETTLED.test(text) && !STILL_NOT.test(text)) {
      return { sentence: s + 1, settled: true };
    }
    start += text.length + 1;
  }
  return null;
}

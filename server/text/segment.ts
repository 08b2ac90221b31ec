// Chinese segmentation for every text feature (classifier, duplicate check, clustering): jieba's dictionary
// words, plus character bigrams over runs of single characters, which is how jieba breaks a word it does not
// know (a place name, a product, a new policy's nickname). Deterministic and side-effect free apart from the
// dictionary, which is loaded once per thread on first use (about a quarter of a second).
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

let jieba: Jieba | undefined;

export function segmenter(): Jieba {
  jieba ??= Jieba.withDict(dict);
  return jieba;
}

/** Full-width to half-width, lower case, no whitespace: the same text typed on two channels compares equal. */
export function normaliseText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
}

const HAN_OR_WORD = /[\p{Script=Han}a-z0-9]/u;

/** Function words that carry no topic; kept short on purpose (negations and cues must survive). */
const STOPWORDS = new Set(
  (
    '的 了 和 与 及 或 在 是 我 我们 你 你们 他 他们 她 它 这 那 这个 那个 这些 那些 就 也 都 又 还 把 被 对 从 向 ' +
    '为 以 于 而 并 但 等 之 其 该 此 啊 呢 吧 吗 呀 哦 嗯 个 些 一下 一个 请 您 有 要 能 会 可以 已经 现在 目前 ' +
    '公司 我司 企业 我们公司 本公司 情况 问题 反映 希望 相关 部门 帮助 协调 解决 一直 今年 去年'
  ).split(' '),
);

export interface Segmented {
  /** Dictionary words, in order, stopwords and punctuation dropped. */
  words: string[];
  /** Bigrams of characters jieba left single (unknown words), in order. */
  bigrams: string[];
}

/** Words and unknown-word bigrams of an already normalised text. */
export function segmentNormalised(normalised: string): Segmented {
  const words: string[] = [];
  const bigrams: string[] = [];
  let run = '';
  const flush = () => {
    for (let i = 0; i + 1 < run.length; i++) bigrams.push(run.slice(i, i + 2));
    run = '';
  };
  for (const token of segmenter().cut(normalised, false)) {
    if (!HAN_OR_WORD.test(token)) {
      flush();
      continue;
    }
    if (token.length === 1 && /\p{Script=Han}/u.test(token)) run += token;
    else flush();
    if (!STOPWORDS.has(token)) words.push(token);
  }
  flush();
  return { words, bigrams };
}

export function segment(text: string): Segmented {
  return segmentNormalised(normaliseText(text));
}

/** Every feature token of a text: words as they are, bigrams marked so a two-character word stays distinct. */
export function tokensOf(text: string): string[] {
  const { words, bigrams } = segment(text);
  return bigrams.length ? words.concat(bigrams.map((b) => `#${b}`)) : words;
}

/**
 * Parts of speech that name no topic: numerals and measure words (三十余, 三次), time (本月), direction (之间),
 * distinguishing words (同一), adverbs (难以, 按时), pronouns (本地, 他人), conjunctions, prepositions, particles.
 */
const NO_TOPIC_TAGS = new Set(['m', 'mq', 'q', 't', 'tg', 'f', 'b', 'd', 'r', 'c', 'p', 'u', 'y', 'e', 'o']);
const topicWords = new Map<string, boolean>();

/** Whether a dictionary word can stand as a topic keyword for a reader (its part of speech, out of context). */
export function readsAsTopic(word: string): boolean {
  let found = topicWords.get(word);
  if (found === undefined) {
    const tags = segmenter().tag(word);
    found = tags.length !== 1 || !NO_TOPIC_TAGS.has(tags[0].tag);
    if (topicWords.size >= 50_000) topicWords.clear();
    topicWords.set(word, found);
  }
  return found;
}

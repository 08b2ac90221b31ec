// What the models see of one text: its words and character bigrams, one `kw:<category>` token per
// admin keyword it contains (so the keyword rules act as features whose weight is learned, and an admin's new
// keyword counts at once), and one `cue:<family>` token per urgency cue family it triggers (the admin's cues,
// setting `classify.urgencyCues`, when given).
import { DEFAULT_SYNONYMS } from '../../config/synonyms.ts';
import type { CategoryKeywords } from '../../shared/classify.ts';
import type { CategoryId } from '../../shared/states.ts';
import { normaliseText, segmentNormalised } from './segment.ts';
import { compileSynonyms, type CompiledSynonyms, type SynonymGroups } from './synonyms.ts';
import { CUE_FAMILIES, CUE_FAMILY_IDS, findCues, type CueFamilies, type CueHit } from './urgency-rules.ts';

const HAN_RUN = /\p{Script=Han}+/gu;

export interface CompiledKeywords {
  categories: { id: CategoryId; keywords: string[] }[];
  /** The urgency cues, normalised like the texts they are looked for in. */
  cues: CueFamilies;
  /** The synonym groups the duplicate check reads texts with (not the classifier: see synonyms.ts). */
  synonyms: CompiledSynonyms;
}

type BySynonyms = WeakMap<SynonymGroups, CompiledKeywords>;
const compiled = new WeakMap<readonly CategoryKeywords[], WeakMap<CueFamilies, BySynonyms>>();

const normalisedCues = (cues: CueFamilies): CueFamilies =>
  Object.fromEntries(CUE_FAMILY_IDS.map((f) => [f, cues[f].map(normaliseText).filter(Boolean)])) as Record<
    keyof CueFamilies,
    string[]
  >;

/** Normalised, de-duplicated keywords, cues and synonyms; memoised per configuration (the three objects). */
export function compileKeywords(
  categories: readonly CategoryKeywords[],
  cues: CueFamilies = CUE_FAMILIES,
  synonyms: SynonymGroups = DEFAULT_SYNONYMS,
): CompiledKeywords {
  let byCues = compiled.get(categories);
  if (!byCues) compiled.set(categories, (byCues = new WeakMap()));
  let bySynonyms = byCues.get(cues);
  if (!bySynonyms) byCues.set(cues, (bySynonyms = new WeakMap()));
  let c = bySynonyms.get(synonyms);
  if (!c) {
    c = {
      categories: categories.map((cat) => ({
        id: cat.id,
        keywords: [...new Set(cat.keywords.map(normaliseText).filter(Boolean))],
      })),
      cues: normalisedCues(cues),
      synonyms: compileSynonyms(synonyms),
    };
    bySynonyms.set(synonyms, c);
  }
  return c;
}

export interface KeywordHit {
  category: CategoryId;
  keyword: string;
}

export interface TextFeatures {
  normalised: string;
  tokens: string[];
  keywordHits: KeywordHit[];
  cueHits: CueHit[];
}

export const keywordToken = (category: string) => `kw:${category}`;
export const cueToken = (family: string) => `cue:${family}`;

/** Tokens that must be in every vocabulary even if the training texts never produced them. */
export function structuralTokens(categoryIds: readonly string[]): string[] {
  return [...categoryIds.map(keywordToken), ...CUE_FAMILY_IDS.map(cueToken)];
}

export function textFeatures(text: string, keywords: CompiledKeywords): TextFeatures {
  const normalised = normaliseText(text);
  const tokens = segmentNormalised(normalised).words;
  // Character bigrams of every run of Chinese: they cover the words jieba does not know, and measured by
  // cross-validation on the training corpus they also lift accuracy where jieba does know the word.
  for (const run of normalised.match(HAN_RUN) ?? []) {
    for (let i = 0; i + 1 < run.length; i++) tokens.push(`#${run.slice(i, i + 2)}`);
  }
  const keywordHits: KeywordHit[] = [];
  for (const cat of keywords.categories) {
    for (const k of cat.keywords) {
      if (normalised.includes(k)) {
        keywordHits.push({ category: cat.id, keyword: k });
        tokens.push(keywordToken(cat.id));
      }
    }
  }
  const cueHits = findCues(normalised, keywords.cues);
  for (const hit of cueHits) tokens.push(cueToken(hit.family));
  return { normalised, tokens, keywordHits, cueHits };
}

/** A 53-bit hash of a normalised text (cyrb53), for remembering exact texts people labelled. */
export function textHash(normalised: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < normalised.length; i++) {
    const ch = normalised.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

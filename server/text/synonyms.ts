// Synonyms for the text core's comparisons (the duplicate check and the class-problem clustering): a 12345 work
// order says "交通信号灯故障" where the enterprise's WeChat line says "红绿灯坏了", a letter "山体滑坡" where a call
// says "塌方". Each word of a group is read as the group's first word before the text is segmented, so both
// texts share that word and its character pairs. The groups are the admin's (setting `classify.synonyms`) or
// config/synonyms.ts. Pure; compiled once per list (memoised on the array).
import { DEFAULT_SYNONYMS } from '../../config/synonyms.ts';
import { normaliseText } from './segment.ts';

export type SynonymGroups = readonly (readonly string[])[];

export interface CompiledSynonyms {
  /** Every word that is read as another, longest first (null: nothing to replace). */
  pattern: RegExp | null;
  /** Normalised word → the normalised first word of its group. */
  canonical: ReadonlyMap<string, string>;
}

const compiled = new WeakMap<SynonymGroups, CompiledSynonyms>();
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function compileSynonyms(groups: SynonymGroups = DEFAULT_SYNONYMS): CompiledSynonyms {
  let c = compiled.get(groups);
  if (c) return c;
  const canonical = new Map<string, string>();
  for (const group of groups) {
    const words = group.map(normaliseText).filter(Boolean);
    const [first, ...others] = words;
    for (const w of others) if (w !== first && !canonical.has(w)) canonical.set(w, first);
  }
  // Longest first, so "山体滑坡" is read whole before "滑坡" could be, and "交通信号灯" before "信号灯".
  const words = [...canonical.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  const pattern = words.length ? new RegExp(words.map(escape).join('|'), 'gu') : null;
  c = { pattern, canonical };
  compiled.set(groups, c);
  return c;
}

export const DEFAULT_COMPILED_SYNONYMS = compileSynonyms(DEFAULT_SYNONYMS);

/** A normalised text with every synonym read as its group's first word. */
export function canonicalise(normalised: string, synonyms: CompiledSynonyms): string {
  const { pattern, canonical } = synonyms;
  if (!pattern) return normalised;
  return normalised.replace(pattern, (w) => canonical.get(w) ?? w);
}

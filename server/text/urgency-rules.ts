// Urgency cues (DESIGN §5: 特急 is production stopped or safety at stake) as rule families, with negation:
// "无安全隐患", "未停产", "不着急" do not count. The families become features of the trained urgency model,
// which learns how much each is worth from labelled texts; on their own they give the rule-only urgency used
// before any model exists and the evidence shown to staff. The words are the admin's (setting
// `classify.urgencyCues`) over the defaults of config/urgency-cues.ts, passed in already normalised.
import { DEFAULT_URGENCY_CUES } from '../../config/urgency-cues.ts';
import type { Urgency } from '../../shared/states.ts';
import {
  CUE_FAMILY_IDS,
  CUE_FAMILY_URGENCY,
  type CueFamilies,
  type CueFamily,
} from '../../shared/urgency-cues.ts';

export { CUE_FAMILY_IDS, type CueFamilies, type CueFamily };
/** The default families (config/urgency-cues.ts). */
export const CUE_FAMILIES = DEFAULT_URGENCY_CUES;

const NEGATIONS = ['不', '无', '没', '未', '非', '勿', '免'];
/** Characters a negation may stand before its cue ("没有发生安全事故", "并不存在安全隐患"). */
const NEGATION_WINDOW = 4;
const CLAUSE_END = /[，。；！？,.;!?\n]/;

/** Whether the occurrence of a cue at `at` is negated within its own clause. */
function negated(text: string, at: number): boolean {
  let start = at;
  while (start > 0 && at - start < NEGATION_WINDOW && !CLAUSE_END.test(text[start - 1])) start--;
  const before = text.slice(start, at);
  return NEGATIONS.some((n) => before.includes(n));
}

export interface CueHit {
  family: CueFamily;
  cue: string;
}

/** Every non-negated cue in a normalised text (each cue once). */
export function findCues(normalised: string, families: CueFamilies = CUE_FAMILIES): CueHit[] {
  const hits: CueHit[] = [];
  for (const family of CUE_FAMILY_IDS) {
    for (const cue of families[family]) {
      for (let i = normalised.indexOf(cue); i >= 0; i = normalised.indexOf(cue, i + 1)) {
        if (!negated(normalised, i)) {
          hits.push({ family, cue });
          break;
        }
      }
    }
  }
  return hits;
}

/** The rule-only urgency: stoppage and safety first, then speed, then coordination. */
export function ruleUrgency(hits: readonly CueHit[]): Urgency {
  for (const level of ['critical', 'urgent', 'complex'] as const) {
    if (hits.some((h) => CUE_FAMILY_URGENCY[h.family] === level)) return level;
  }
  return 'normal';
}

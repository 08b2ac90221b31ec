// The urgency cue families (DESIGN §5: 特急 is production stopped or safety at stake): which urgency each
// family stands for and its Chinese name. The default words are configuration (config/urgency-cues.ts); admins
// edit them (setting `classify.urgencyCues`, checked with shared/schemas urgencyCuesSettingSchema).
import type { Urgency } from './states.ts';

export const CUE_FAMILY_IDS = [
  'stoppage',
  'safety',
  'utilitiesCut',
  'wages',
  'deadline',
  'hurry',
  'complex',
] as const;
export type CueFamily = (typeof CUE_FAMILY_IDS)[number];

/** The words of every family. */
export type CueFamilies = Readonly<Record<CueFamily, readonly string[]>>;

export const CUE_FAMILY_URGENCY: Readonly<Record<CueFamily, Exclude<Urgency, 'normal'>>> = Object.freeze({
  stoppage: 'critical',
  safety: 'critical',
  utilitiesCut: 'critical',
  wages: 'urgent',
  deadline: 'urgent',
  hurry: 'urgent',
  complex: 'complex',
});

export const CUE_FAMILY_LABELS: Readonly<Record<CueFamily, string>> = Object.freeze({
  stoppage: '停产停工',
  safety: '安全事故',
  utilitiesCut: '停水停电',
  wages: '工资欠薪',
  deadline: '期限临近',
  hurry: '催办紧迫',
  complex: '疑难复杂',
});

/** The families in effect: the admin's edited families over the defaults (a family left out keeps its words). */
export function effectiveCues(
  defaults: CueFamilies,
  edited: Partial<Record<CueFamily, readonly string[]>>,
): CueFamilies {
  return Object.freeze(
    Object.fromEntries(CUE_FAMILY_IDS.map((f) => [f, edited[f] ?? defaults[f]])) as Record<
      CueFamily,
      readonly string[]
    >,
  );
}

// The settings admins may store, one zod schema per key. A value is accepted only in the shape its consumer
// reads, so a typo or a stray object can never sit in the database until the day something reads it. Adding a
// setting means adding its key and schema here (and the code that reads it).
import { z } from 'zod';
import { URGENCIES } from '../../../shared/states.ts';
import {
  keywordsSettingSchema,
  synonymsSettingSchema,
  thresholdSettingSchema,
  urgencyCuesSettingSchema,
} from '../../text/classifier.service.ts';

const workingDays = z.number().int().min(0).max(365);

/** Per-urgency adjustments of the default time limits, in working days (e.g. `{normal:{resolveWorkingDays:4}}`). */
const slaOverrides = z.partialRecord(
  z.enum(URGENCIES),
  z.strictObject({
    signWorkingDays: workingDays.optional(),
    contactWorkingDays: workingDays.optional(),
    resolveWorkingDays: workingDays.min(1).optional(),
    maxExtensionWorkingDays: workingDays.optional(),
  }),
);

export const SETTING_SCHEMAS: Readonly<Record<string, z.ZodType>> = Object.freeze({
  'sla.overrides': slaOverrides,
  // The classifier's confidence threshold, keywords per category and urgency cues per family, and the synonym
  // groups of the duplicate check and clustering (server/text/classifier.service.ts).
  'classify.threshold': thresholdSettingSchema,
  'classify.keywords': keywordsSettingSchema,
  'classify.urgencyCues': urgencyCuesSettingSchema,
  'classify.synonyms': synonymsSettingSchema,
});

export const SETTING_KEYS = Object.keys(SETTING_SCHEMAS);

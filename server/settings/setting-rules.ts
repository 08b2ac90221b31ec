// Settings that take effect (issue 8): the keys the server reads get validated when saved, normalised to what
// is stored, and say what must follow the change (caches to drop, deadlines to recompute). Keys not listed
// here stay free-form, as before.
import { DEFAULT_TIME_LIMIT_POLICY } from '../../config/time-limits.ts';
import { mergePolicy } from '../../shared/policy-schema.ts';
import { validationFailed } from '../errors.ts';
import { TIME_LIMITS_SETTING } from '../intake/intake-config.ts';
import { TEMPLATES_SETTING } from '../notify/notifier.ts';
import { templatesSchema } from '../notify/templates.ts';

export interface SettingRule {
  /** The value to store; throws a 400 AppError when invalid. */
  normalise(value: unknown): unknown;
  /** Open issues' deadlines depend on it. */
  recompute?: boolean;
}

export const SETTING_RULES: Readonly<Record<string, SettingRule>> = Object.freeze({
  [TIME_LIMITS_SETTING]: {
    normalise(value) {
      const merged = mergePolicy(DEFAULT_TIME_LIMIT_POLICY, value);
      if (!merged.ok)
        throw validationFailed(`时限设置无效：${merged.message}`, {
          field: merged.field ? `value.${merged.field}` : 'value',
        });
      return merged.policy;
    },
    recompute: true,
  },
  [TEMPLATES_SETTING]: {
    normalise(value) {
      const parsed = templatesSchema.safeParse(value);
      if (!parsed.success) throw validationFailed(parsed.error.issues[0]?.message ?? '通知模板无效');
      return parsed.data;
    },
  },
});

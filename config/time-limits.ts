// Default time-limit policy of DESIGN §5 as data. Admins edit a copy stored in the database; every number here
// is a default, not a rule.

import type { TimeLimitPolicy } from '../shared/sla.ts';

export const DEFAULT_TIME_LIMIT_POLICY: TimeLimitPolicy = Object.freeze({
  urgencies: Object.freeze({
    critical: {
      sign: { kind: 'wall_minutes', minutes: 30 },
      contact: { kind: 'wall_minutes', minutes: 60 },
      resolve: { kind: 'same_day' },
      yellow: { kind: 'fraction', fraction: 2 / 3 },
      maxExtensionWorkingDays: 1,
    },
    urgent: {
      sign: { kind: 'working_hours', hours: 2 },
      contact: { kind: 'working_hours', hours: 4 },
      resolve: { kind: 'working_days', days: 3 },
      yellow: { kind: 'fraction', fraction: 2 / 3 },
      maxExtensionWorkingDays: 3,
    },
    normal: {
      sign: { kind: 'working_days', days: 1 },
      contact: { kind: 'working_days', days: 1 },
      resolve: { kind: 'working_days', days: 5 },
      yellow: { kind: 'working_days_before', days: 1 },
      maxExtensionWorkingDays: 5,
    },
    complex: {
      sign: { kind: 'working_days', days: 1 },
      contact: { kind: 'working_days', days: 1 },
      resolve: { kind: 'working_days', days: 15 },
      yellow: { kind: 'working_days_before', days: 2 },
      // 15 + 15 = the 30 working days the policy allows with an extension.
      maxExtensionWorkingDays: 15,
    },
  }),
  categoryOverrides: Object.freeze({}),
  maxExtensions: 1,
  overdueAfterWorkingDays: 1,
  escalateAfterRedWorkingDays: 3,
  bulletinAfterRedWorkingDays: 5,
  ratingWindowWorkingDays: 3,
  ratingVerifyWorkingDays: 1,
  rectifyWorkingDays: 5,
  maxRectifyWorkingDays: 15,
  consultInputWorkingDays: 2,
  sameDayCutoff: '17:30',
}) as TimeLimitPolicy;

/** The meeting channel's own promise (DESIGN §5): dispatched within 2 days, answered within 2 weeks. */
export const MEETING_PROMISE = Object.freeze({
  dispatchWithinWorkingDays: 2,
  answerWithinWorkingDays: 10,
  callbackRate: 1,
});

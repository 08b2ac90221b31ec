// Registers every model on ONE given connection (never the global mongoose), so each app instance, test
// suite or tool gets its own isolated set. Timestamps come from the injected clock.
import type { Connection } from 'mongoose';
import { systemClock, type Clock } from '../../shared/clock.ts';
import { defineCalendarOverrideModel, defineRoutingRuleModel, defineSettingModel } from './config.model.ts';
import { defineCounterModel } from './counter.model.ts';
import { defineEnterpriseModel } from './enterprise.model.ts';
import { defineTextModelModel } from './text-model.model.ts';
import { defineFollowUpClaimModel } from './follow-up-claim.model.ts';
import { defineIssueModel, dropRetiredIssueIndexes } from './issue.model.ts';
import { defineUnitModel } from './unit.model.ts';
import { defineUserModel } from './user.model.ts';
import { defineVerificationCodeModel } from './verification-code.model.ts';

const registered = new WeakMap<Connection, ReturnType<typeof defineAll>>();

/** Idempotent per connection: a second call returns the models already registered on it. */
export function createModels(conn: Connection, clock: Clock = systemClock) {
  let models = registered.get(conn);
  if (!models) {
    models = defineAll(conn, clock);
    registered.set(conn, models);
  }
  return models;
}

function defineAll(conn: Connection, clock: Clock) {
  return {
    Unit: defineUnitModel(conn, clock),
    User: defineUserModel(conn, clock),
    Enterprise: defineEnterpriseModel(conn, clock),
    Setting: defineSettingModel(conn, clock),
    RoutingRule: defineRoutingRuleModel(conn, clock),
    CalendarOverride: defineCalendarOverrideModel(conn, clock),
    // Issues carry their own timestamps from the command's clock (the seed writes a simulated past).
    Issue: defineIssueModel(conn),
    Counter: defineCounterModel(conn),
    // The escalation sweep's exactly-once ledger (unique per issue, step and due instant).
    FollowUpClaim: defineFollowUpClaimModel(conn),
    // QR-page owner verification: one live one-time code per enterprise (hashed, expiring, single use).
    VerificationCode: defineVerificationCodeModel(conn),
    // Trained text classifiers, one version per retraining (server/text).
    TextModel: defineTextModelModel(conn, clock),
  };
}

export type Models = ReturnType<typeof createModels>;

/** Builds every declared index (used at start-up and by tests; unique indexes are relied on for 409s). */
export async function ensureIndexes(models: Models): Promise<void> {
  await dropRetiredIssueIndexes(models.Issue);
  for (const model of Object.values(models)) await model.createIndexes();
}

export type { UnitDoc } from './unit.model.ts';
export type { UserDoc } from './user.model.ts';
export type { EnterpriseDoc } from './enterprise.model.ts';
export type { IssueDoc, StoredTimelineEvent } from './issue.model.ts';
export type { FollowUpClaimDoc } from './follow-up-claim.model.ts';
export type { VerificationCodeDoc } from './verification-code.model.ts';
export type { TextModelDoc } from './text-model.model.ts';
export type { SettingDoc, RoutingRuleDoc, CalendarOverrideDoc } from './config.model.ts';

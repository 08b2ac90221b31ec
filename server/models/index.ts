// Registers every model on ONE given connection (never the global mongoose), so each app instance, test
// suite or tool gets its own isolated set. Timestamps come from the injected clock.
import type { Connection } from 'mongoose';
import type { IndexDescription } from 'mongodb';
import { systemClock, type Clock } from '../../shared/clock.ts';
import { defineAuditModel } from './audit.model.ts';
import { defineCalendarOverrideModel, defineRoutingRuleModel, defineSettingModel } from './config.model.ts';
import { defineChannelCredentialModel, defineChannelReplayModel } from './channel-credential.model.ts';
import { defineClassClusterModel, defineClassProblemModel } from './class-problem.model.ts';
import { defineCounterModel } from './counter.model.ts';
import { defineEnterpriseModel, migrateEnterpriseIndexes } from './enterprise.model.ts';
import { defineTextModelModel } from './text-model.model.ts';
import { defineFollowUpClaimModel } from './follow-up-claim.model.ts';
import { defineInboxModel } from './inbox.model.ts';
import { defineImportJobModel } from './import-job.model.ts';
import { defineIssueModel } from './issue.model.ts';
import { RETIRED_ISSUE_INDEXES } from './issue.indexes.ts';
import { defineRateLimitModel, RETIRED_RATE_LIMIT_INDEXES } from './rate-limit.model.ts';
import { defineNotificationModel } from './notification.model.ts';
import { defineOutboxModel, RETIRED_OUTBOX_INDEXES } from './outbox.model.ts';
import { defineUnitModel } from './unit.model.ts';
import { defineUserModel } from './user.model.ts';
import { defineVerificationCodeModel, RETIRED_CODE_INDEXES } from './verification-code.model.ts';
import { defineStaffSessionModel } from './staff-session.model.ts';
import { defineWechatBindingModel } from './wechat-binding.model.ts';

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
    // Staff sign-ins behind the refresh cookie: one generation live per browser (server/auth/staff-session).
    StaffSession: defineStaffSessionModel(conn),
    // The raw inbox of every inbound message (accepted → processed | failed) and the channels' credentials.
    InboxEntry: defineInboxModel(conn),
    ChannelCredential: defineChannelCredentialModel(conn),
    ChannelReplay: defineChannelReplayModel(conn),
    // Rate-limit windows shared by every process (server/rate-limit/), swept by a TTL index.
    RateLimit: defineRateLimitModel(conn),
    // Notifications (issue 8): the outbox and staff in-app notifications (an enterprise's channel choice is
    // its `notify`).
    Outbox: defineOutboxModel(conn),
    Notification: defineNotificationModel(conn),
    // WeChat openid -> the enterprise (credit code) it speaks for.
    WechatBinding: defineWechatBindingModel(conn, clock),
    // CSV/XLSX batch imports and their progress.
    ImportJob: defineImportJobModel(conn, clock),
    // Trained text classifiers, one version per retraining (server/text).
    TextModel: defineTextModelModel(conn, clock),
    // Class problems (issue 7 §3): the clustering job's candidate clusters and the promoted class problems.
    ClassCluster: defineClassClusterModel(conn),
    ClassProblem: defineClassProblemModel(conn, clock),
    // 操作日志: changes to configuration, people, enterprises and channels (server/audit).
    Audit: defineAuditModel(conn),
  };
}

export type Models = ReturnType<typeof createModels>;

/** Drops the named indexes where they still exist (a database created by an older version). */
async function dropIndexes(model: Models[keyof Models], names: readonly string[]): Promise<void> {
  const existing: { name: string }[] = await model.listIndexes().catch(() => []);
  for (const ix of existing) if (names.includes(ix.name)) await model.collection.dropIndex(ix.name);
}

/**
 * The issues' declared indexes in one createIndexes command (their schema does not build them on its own). The
 * embedded server builds the new indexes of one command in one pass over the documents, each unpacked once:
 * at 1,000,000 issues a pass takes 11-19 s, and one per index, as mongoose sends them, held its thread that
 * long for each new index in turn.
 */
async function createIssueIndexes(model: Models['Issue']): Promise<void> {
  const specs = model.schema.indexes().map(([key, options]) => ({ ...options, key }));
  await model.collection.createIndexes(specs as IndexDescription[]);
}

/** Builds every declared index (used at start-up and by tests; unique indexes are relied on for 409s). */
export async function ensureIndexes(models: Models): Promise<void> {
  await dropIndexes(models.Issue, RETIRED_ISSUE_INDEXES);
  await migrateEnterpriseIndexes(models.Enterprise);
  await dropIndexes(models.VerificationCode, RETIRED_CODE_INDEXES);
  await dropIndexes(models.RateLimit, RETIRED_RATE_LIMIT_INDEXES);
  await dropIndexes(models.Outbox, RETIRED_OUTBOX_INDEXES);
  await createIssueIndexes(models.Issue);
  for (const model of Object.values(models)) if (model !== models.Issue) await model.createIndexes();
  // The KPI rollups' days (server/kpi/kpi-rollup-period.store.ts, no model): each process reads the days stored
  // since the pass it has seen, every minute; without the index that read decoded every day of every year.
  await models.Issue.db.collection('kpi_rollup_days').createIndex({ pass: 1 });
}

export type { UnitDoc } from './unit.model.ts';
export type { UserDoc } from './user.model.ts';
export type { EnterpriseDoc } from './enterprise.model.ts';
export type { IssueDoc, StoredTimelineEvent } from './issue.model.ts';
export type { FollowUpClaimDoc } from './follow-up-claim.model.ts';
export type { VerificationCodeDoc } from './verification-code.model.ts';
export type { InboxEntryDoc } from './inbox.model.ts';
export type { ChannelCredentialDoc } from './channel-credential.model.ts';
export type { OutboxDoc } from './outbox.model.ts';
export type { NotificationDoc } from './notification.model.ts';
export type { WechatBindingDoc } from './wechat-binding.model.ts';
export type { ImportJobDoc } from './import-job.model.ts';
export type { TextModelDoc } from './text-model.model.ts';
export type { ClassClusterDoc, ClassProblemDoc } from './class-problem.model.ts';
export type { SettingDoc, RoutingRuleDoc, CalendarOverrideDoc } from './config.model.ts';
export type { AuditDoc } from './audit.model.ts';

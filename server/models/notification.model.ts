// In-app notifications (issue 8): the list and unread count a staff member sees in the workbench. Written by
// the outbox worker when it delivers an `inapp` entry, unique per outbox row so a redelivery adds nothing.
import { Schema, type Connection, type Model, type Types } from 'mongoose';

export interface NotificationDoc {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  outboxId: Types.ObjectId;
  event: string;
  title: string;
  text: string;
  issueId: Types.ObjectId | null;
  issueNumber: string | null;
  readAt: Date | null;
  createdAt: Date;
}

export type NotificationModel = Model<NotificationDoc>;

export function defineNotificationModel(conn: Connection): NotificationModel {
  const schema = new Schema<NotificationDoc>(
    {
      userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
      outboxId: { type: Schema.Types.ObjectId, required: true },
      event: { type: String, required: true },
      title: { type: String, default: '' },
      text: { type: String, required: true },
      issueId: { type: Schema.Types.ObjectId, ref: 'Issue', default: null },
      issueNumber: { type: String, default: null },
      readAt: { type: Date, default: null },
      createdAt: { type: Date, required: true },
    },
    { collection: 'notifications', versionKey: false },
  );
  schema.index({ outboxId: 1 }, { unique: true });
  schema.index({ userId: 1, createdAt: -1 });
  schema.index({ userId: 1, readAt: 1 });
  return conn.model<NotificationDoc>('Notification', schema);
}

/** How an enterprise wants to hear from the centre; chosen by the verified owner on the QR page. */
export const ENTERPRISE_CHANNELS = ['sms', 'wechat', 'email'] as const;
export type EnterpriseChannel = (typeof ENTERPRISE_CHANNELS)[number];

export interface NotifyPreferenceDoc {
  _id: Types.ObjectId;
  enterpriseId: Types.ObjectId;
  channel: EnterpriseChannel;
  email: string | null;
  updatedAt: Date;
}

export type NotifyPreferenceModel = Model<NotifyPreferenceDoc>;

export function defineNotifyPreferenceModel(conn: Connection): NotifyPreferenceModel {
  const schema = new Schema<NotifyPreferenceDoc>(
    {
      enterpriseId: { type: Schema.Types.ObjectId, ref: 'Enterprise', required: true },
      channel: { type: String, enum: ENTERPRISE_CHANNELS, required: true },
      email: { type: String, default: null, maxlength: 200 },
      updatedAt: { type: Date, required: true },
    },
    { collection: 'notify_preferences', versionKey: false },
  );
  schema.index({ enterpriseId: 1 }, { unique: true });
  return conn.model<NotifyPreferenceDoc>('NotifyPreference', schema);
}

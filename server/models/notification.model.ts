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

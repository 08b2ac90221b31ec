// 操作日志: who changed the system's configuration, people, enterprises and channels, and when (server/audit).
// Issues keep their own record, the timeline; this is the record of everything around them. Rows are only
// ever inserted.
import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { Role } from '../../shared/roles.ts';

export interface AuditDoc {
  _id: Types.ObjectId;
  createdAt: Date;
  actor: { id: string; name: string; role: Role };
  /** What was done, in Chinese (新增用户, 修改设置「时限策略」). */
  action: string;
  method: string;
  /** The request path under /api, without the query. */
  path: string;
  /** What it was done to: the id in the path or the answer's, and its name or number where the answer says. */
  target: { id?: string; name?: string };
  /** The request body as JSON, secrets masked, cut at 2,000 characters. */
  details: string;
}

export type AuditModel = Model<AuditDoc>;

export function defineAuditModel(conn: Connection): AuditModel {
  const schema = new Schema<AuditDoc>(
    {
      createdAt: { type: Date, required: true },
      actor: { id: String, name: String, role: String },
      action: { type: String, required: true },
      method: { type: String, required: true },
      path: { type: String, required: true },
      target: { id: String, name: String },
      details: { type: String, default: '' },
    },
    { collection: 'audit_log', versionKey: false },
  );
  // The list's order (newest first, `_id` breaking ties), alone and per person.
  schema.index({ createdAt: -1, _id: -1 });
  schema.index({ 'actor.id': 1, createdAt: -1, _id: -1 });
  return conn.model<AuditDoc>('Audit', schema);
}

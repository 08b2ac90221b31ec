// Which enterprise a WeChat openid speaks for: set when the user sends a valid credit code to the official
// account, then used to file their messages. One binding per openid (the latest code wins); the credit code is
// kept even before the enterprise is known, so the intake pipeline can match or provision it.
import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { Clock } from '../../shared/clock.ts';
import { maxChars } from './max-chars.ts';

export interface WechatBindingDoc {
  _id: Types.ObjectId;
  openid: string;
  creditCode: string;
  /** The enterprise with that code when it was bound, if it was known. */
  enterpriseId: Types.ObjectId | null;
  boundAt: Date;
}

export type WechatBindingModel = Model<WechatBindingDoc>;

export function defineWechatBindingModel(conn: Connection, clock: Clock): WechatBindingModel {
  const schema = new Schema<WechatBindingDoc>(
    {
      openid: { type: String, required: true, validate: maxChars(128) },
      creditCode: { type: String, required: true, validate: maxChars(18) },
      enterpriseId: { type: Schema.Types.ObjectId, default: null },
      boundAt: { type: Date, required: true, default: () => clock.now() },
    },
    { collection: 'wechat_bindings' },
  );
  schema.index({ openid: 1 }, { unique: true });
  schema.index({ enterpriseId: 1 });
  return conn.model<WechatBindingDoc>('WechatBinding', schema);
}

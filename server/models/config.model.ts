// Admin-edited configuration that overrides the defaults in config/: free-form settings (time limits, SLA
// numbers), routing rules (category × region → unit) and single-day calendar overrides (extra holidays or
// working days). The pure domain code receives these values; it never reads the database itself.
import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { DayOverride } from '../../shared/calendar.ts';
import type { Clock } from '../../shared/clock.ts';
import { CATEGORY_IDS, type CategoryId } from '../../shared/states.ts';
import { maxChars } from './max-chars.ts';

export interface SettingDoc {
  _id: Types.ObjectId;
  /** Dotted key, e.g. `sla.normal.resolveWorkingDays`. */
  key: string;
  value: unknown;
  updatedBy: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface RoutingRuleDoc {
  _id: Types.ObjectId;
  category: CategoryId;
  /** Region the rule applies to; null means every region. */
  region: string | null;
  unitId: Types.ObjectId;
  coUnitIds: Types.ObjectId[];
  /** Higher wins when several rules match. */
  priority: number;
  keywords: string[];
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface CalendarOverrideDoc {
  _id: Types.ObjectId;
  /** Local date in Asia/Shanghai, `YYYY-MM-DD`. */
  date: string;
  /** Same vocabulary as shared/calendar's CalendarOverrides. */
  kind: DayOverride;
  note: string;
  createdAt: Date;
  updatedAt: Date;
}

export type SettingModel = Model<SettingDoc>;
export type RoutingRuleModel = Model<RoutingRuleDoc>;
export type CalendarOverrideModel = Model<CalendarOverrideDoc>;

export function defineSettingModel(conn: Connection, clock: Clock): SettingModel {
  const schema = new Schema<SettingDoc>(
    {
      key: { type: String, required: true, trim: true, match: /^[a-zA-Z0-9_.-]{1,100}$/ },
      value: { type: Schema.Types.Mixed, required: true },
      updatedBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    },
    { timestamps: { currentTime: () => clock.now() }, collection: 'settings', minimize: false },
  );
  schema.index({ key: 1 }, { unique: true });
  return conn.model<SettingDoc>('Setting', schema);
}

export function defineRoutingRuleModel(conn: Connection, clock: Clock): RoutingRuleModel {
  const schema = new Schema<RoutingRuleDoc>(
    {
      category: { type: String, required: true, enum: CATEGORY_IDS },
      region: { type: String, default: null },
      unitId: { type: Schema.Types.ObjectId, ref: 'Unit', required: true },
      coUnitIds: { type: [{ type: Schema.Types.ObjectId, ref: 'Unit' }], default: [] },
      priority: { type: Number, default: 0 },
      keywords: { type: [String], default: [] },
      enabled: { type: Boolean, default: true },
    },
    { timestamps: { currentTime: () => clock.now() }, collection: 'routing_rules' },
  );
  schema.index({ category: 1, region: 1, priority: -1 });
  return conn.model<RoutingRuleDoc>('RoutingRule', schema);
}

export function defineCalendarOverrideModel(conn: Connection, clock: Clock): CalendarOverrideModel {
  const schema = new Schema<CalendarOverrideDoc>(
    {
      date: { type: String, required: true, match: /^\d{4}-\d{2}-\d{2}$/ },
      kind: { type: String, required: true, enum: ['work', 'off'] },
      note: { type: String, default: '', validate: maxChars(200) },
    },
    { timestamps: { currentTime: () => clock.now() }, collection: 'calendar_overrides' },
  );
  schema.index({ date: 1 }, { unique: true });
  return conn.model<CalendarOverrideDoc>('CalendarOverride', schema);
}

// Responsible units (市级部门, 区县, 乡镇/街道): where issues are routed and where handlers work.
import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { Clock } from '../../shared/clock.ts';
import { CATEGORY_IDS, UNIT_LEVELS, type CategoryId, type UnitLevel } from '../../shared/states.ts';
import { maxChars } from './max-chars.ts';

export interface UnitDoc {
  _id: Types.ObjectId;
  /** Stable short code, e.g. `city-fgw` or `dq-wkz`; used in demo usernames and routing config. */
  code: string;
  name: string;
  level: UnitLevel;
  /** Region code (a county/district code, or `city` for city-level departments). */
  region: string;
  parentId: Types.ObjectId | null;
  /** Categories this unit handles by default. */
  categories: CategoryId[];
  createdAt: Date;
  updatedAt: Date;
}

export type UnitModel = Model<UnitDoc>;

export function defineUnitModel(conn: Connection, clock: Clock): UnitModel {
  const schema = new Schema<UnitDoc>(
    {
      code: { type: String, required: true, trim: true, lowercase: true, match: /^[a-z0-9][a-z0-9-]{1,39}$/ },
      name: { type: String, required: true, trim: true, validate: maxChars(100) },
      level: { type: String, required: true, enum: UNIT_LEVELS },
      region: { type: String, required: true, trim: true, validate: maxChars(40) },
      parentId: { type: Schema.Types.ObjectId, ref: 'Unit', default: null },
      categories: { type: [{ type: String, enum: CATEGORY_IDS }], default: [] },
    },
    { timestamps: { currentTime: () => clock.now() }, collection: 'units' },
  );
  schema.index({ code: 1 }, { unique: true });
  schema.index({ region: 1, level: 1 });
  return conn.model<UnitDoc>('Unit', schema);
}

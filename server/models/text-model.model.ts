// Trained text models (server/text): each retraining stores a new version with its scores and the serialised
// model; exactly one is active. Kept in the database so the model in use survives restarts and every app
// process loads the same one.
import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { Clock } from '../../shared/clock.ts';

export type TrainingTrigger = 'startup' | 'schedule' | 'manual';

export interface TextModelDoc {
  _id: Types.ObjectId;
  version: number;
  trainedAt: Date;
  trigger: TrainingTrigger;
  /** Who asked for it (an admin's id) or `system`. */
  trainedBy: string;
  /** How many texts it learned from: the corpus and people's classifications. */
  examples: { corpus: number; people: number };
  trainingMs: number;
  /** Scores on the held-out set (null when there is none), as server/text/evaluate.ts computes them. */
  scores: Record<string, unknown> | null;
  /** JSON of server/text/text-model.ts SerializedTextModel. */
  model: string;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type TextModelModel = Model<TextModelDoc>;

export function defineTextModelModel(conn: Connection, clock: Clock): TextModelModel {
  const schema = new Schema<TextModelDoc>(
    {
      version: { type: Number, required: true },
      trainedAt: { type: Date, required: true },
      trigger: { type: String, required: true, enum: ['startup', 'schedule', 'manual'] },
      trainedBy: { type: String, required: true },
      examples: { corpus: { type: Number, default: 0 }, people: { type: Number, default: 0 } },
      trainingMs: { type: Number, default: 0 },
      scores: { type: Schema.Types.Mixed, default: null },
      model: { type: String, required: true },
      active: { type: Boolean, default: false },
    },
    { timestamps: { currentTime: () => clock.now() }, collection: 'text_models', minimize: false },
  );
  schema.index({ version: 1 }, { unique: true });
  schema.index({ active: 1, version: -1 });
  return conn.model<TextModelDoc>('TextModel', schema);
}

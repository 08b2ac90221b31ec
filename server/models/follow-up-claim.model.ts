// The escalation sweep's ledger (DESIGN §5, §8): one row per (issue, follow-up step, due instant) it fires.
// The UNIQUE index on (issueId, step, dueAt) is the cross-process lock: whichever sweeper inserts the row
// first owns that firing; a duplicate-key error (11000) tells every other process it is taken. The row
// starts `claimed` and becomes `applied` once the issue write that appends the step's event has committed.
import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { FOLLOW_UP_STEPS, type FollowUpStep } from '../../shared/sla-steps.ts';

/** The follow-ups that append a timeline event (a light change alone is idempotent and needs no claim). */
export type ClaimedStep = Exclude<FollowUpStep, 'warning'>;
export const CLAIMED_STEPS: readonly ClaimedStep[] = FOLLOW_UP_STEPS.filter((s) => s !== 'warning');

export type ClaimStatus = 'claimed' | 'applied';

export interface FollowUpClaimDoc {
  _id: Types.ObjectId;
  issueId: Types.ObjectId;
  step: ClaimedStep;
  /** The stored deadline the step hangs off (yellowAt, redAt, escalateAt, bulletinAt, rateBy). */
  dueAt: Date;
  status: ClaimStatus;
  /** The sweeper holding the claim (process and pass), so a retry recognises its own row. */
  owner: string;
  claimedAt: Date;
  appliedAt: Date | null;
  /** The issue version the step's event was written at. */
  issueVersion: number | null;
}

export type FollowUpClaimModel = Model<FollowUpClaimDoc>;

export function defineFollowUpClaimModel(conn: Connection): FollowUpClaimModel {
  const schema = new Schema<FollowUpClaimDoc>(
    {
      issueId: { type: Schema.Types.ObjectId, ref: 'Issue', required: true },
      step: { type: String, enum: CLAIMED_STEPS, required: true },
      dueAt: { type: Date, required: true },
      status: { type: String, enum: ['claimed', 'applied'], required: true, default: 'claimed' },
      owner: { type: String, required: true },
      claimedAt: { type: Date, required: true },
      appliedAt: { type: Date, default: null },
      issueVersion: { type: Number, default: null },
    },
    { collection: 'followupclaims', versionKey: false },
  );
  schema.index({ issueId: 1, step: 1, dueAt: 1 }, { unique: true });
  // The repair pass: claims left `claimed` by a sweeper that stopped mid-way. Partial, so it holds only the
  // claims in flight (a few batches' worth), not every firing the ledger has ever recorded: marking a claim
  // applied takes it out, and the index stays small and cheap to keep however long the ledger grows.
  schema.index({ claimedAt: 1 }, { partialFilterExpression: { status: 'claimed' } });
  return conn.model<FollowUpClaimDoc>('FollowUpClaim', schema);
}

// Class problems (一类事, issue 7 §3). Two collections:
//  - `class_clusters`: the candidate clusters the clustering job keeps between runs (its memory, so a new
//    member joins its existing cluster and ids never reshuffle), each with the summary the screen shows;
//  - `class_problems`: a cluster a director or leader promoted, with its lead unit, deadline, root cause,
//    measure and members, handled once and closed for everyone (政策性解决). Members carry `classProblemId`.
import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { Clock } from '../../shared/clock.ts';
import { CATEGORY_IDS, type CategoryId } from '../../shared/states.ts';
import { maxChars } from './max-chars.ts';

export interface ClusterSummary {
  representative: { issueId: Types.ObjectId; number: string; text: string };
  keywords: string[];
  memberCount: number;
  enterpriseCount: number;
  regions: string[];
  units: { id: Types.ObjectId; name: string }[];
  oldestAt: Date;
  newestAt: Date;
}

export interface ClassClusterDoc {
  _id: Types.ObjectId;
  category: CategoryId;
  memberIds: Types.ObjectId[];
  summary: ClusterSummary;
  /** Set once promoted; the cluster keeps collecting new members (new ones after the fix count). */
  classProblemId: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
}

export const CLASS_STATES = ['handling', 'replied', 'closed'] as const;
export type ClassState = (typeof CLASS_STATES)[number];
export const CLASS_STATE_LABELS: Readonly<Record<ClassState, string>> = Object.freeze({
  handling: '办理中',
  replied: '已政策性解决',
  closed: '已办结',
});

export interface ClassProblemDoc {
  _id: Types.ObjectId;
  number: string;
  title: string;
  category: CategoryId;
  /** Absent for a class problem put together by hand. */
  clusterId?: Types.ObjectId;
  state: ClassState;
  leadUnitId: Types.ObjectId;
  leadUnitName: string;
  coUnitIds: Types.ObjectId[];
  coUnitNames: string[];
  workingDays: number;
  deadline: Date;
  rootCause: string;
  measure: string;
  memberIds: Types.ObjectId[];
  /** Distinct enterprises among the members (the QR page's "与其他 N 家企业"). */
  enterpriseCount: number;
  /** The shared answer of 政策性解决 and when it was given. */
  answer: string | null;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  promotedBy: string;
  promotedByName: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export type ClassClusterModel = Model<ClassClusterDoc>;
export type ClassProblemModel = Model<ClassProblemDoc>;
const { ObjectId, Mixed } = Schema.Types;

export function defineClassClusterModel(conn: Connection): ClassClusterModel {
  const schema = new Schema<ClassClusterDoc>(
    {
      category: { type: String, enum: CATEGORY_IDS, required: true },
      memberIds: { type: [ObjectId], default: [] },
      summary: { type: Mixed, required: true },
      classProblemId: { type: ObjectId, default: null },
      createdAt: { type: Date, required: true },
      updatedAt: { type: Date, required: true },
    },
    { collection: 'class_clusters', versionKey: false, minimize: false },
  );
  return conn.model<ClassClusterDoc>('ClassCluster', schema);
}

export function defineClassProblemModel(conn: Connection, clock: Clock): ClassProblemModel {
  const schema = new Schema<ClassProblemDoc>(
    {
      number: { type: String, required: true },
      title: { type: String, required: true, validate: maxChars(100) },
      category: { type: String, enum: CATEGORY_IDS, required: true },
      clusterId: { type: ObjectId },
      state: { type: String, enum: CLASS_STATES, default: 'handling' },
      leadUnitId: { type: ObjectId, required: true },
      leadUnitName: { type: String, required: true },
      coUnitIds: { type: [ObjectId], default: [] },
      coUnitNames: { type: [String], default: [] },
      workingDays: { type: Number, required: true },
      deadline: { type: Date, required: true },
      rootCause: { type: String, required: true, validate: maxChars(2000) },
      measure: { type: String, required: true, validate: maxChars(2000) },
      memberIds: { type: [ObjectId], default: [] },
      enterpriseCount: { type: Number, default: 0 },
      answer: { type: String, default: null },
      resolvedAt: { type: Date, default: null },
      resolvedBy: { type: String, default: null },
      promotedBy: { type: String, required: true },
      promotedByName: { type: String, default: '' },
      version: { type: Number, default: 1 },
    },
    {
      collection: 'class_problems',
      versionKey: false,
      minimize: false,
      timestamps: { currentTime: () => clock.now() },
    },
  );
  schema.index({ number: 1 }, { unique: true });
  // One class problem per cluster (a second promotion of the same cluster is a 409).
  schema.index({ clusterId: 1 }, { unique: true, partialFilterExpression: { clusterId: { $exists: true } } });
  schema.index({ createdAt: -1 });
  return conn.model<ClassProblemDoc>('ClassProblem', schema);
}

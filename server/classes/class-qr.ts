// The QR page's line for class members (issue 7 §3): "本问题与其他 N 家企业的同类问题合并办理". One read of
// the class problems named, and only when one of the enterprise's issues is a member (most have none).
import type { Types } from 'mongoose';
import type { Models } from '../models/index.ts';

export const classNote = (others: number) => `本问题与其他 ${others} 家企业的同类问题合并办理`;

/** The note per issue number, for the issues that belong to a class problem. */
export async function classNotesOf(
  models: Models,
  issues: readonly { number: string; classProblemId?: Types.ObjectId | null }[],
): Promise<Map<string, string>> {
  const linked = issues.filter((i) => i.classProblemId);
  if (!linked.length) return new Map();
  const classes = await models.ClassProblem.collection
    .find<{ _id: Types.ObjectId; enterpriseCount: number }>(
      { _id: { $in: linked.map((i) => i.classProblemId!) } },
      { projection: { enterpriseCount: 1 } },
    )
    .toArray();
  const others = new Map(classes.map((c) => [String(c._id), Math.max(0, c.enterpriseCount - 1)]));
  const notes = new Map<string, string>();
  for (const i of linked) {
    const n = others.get(String(i.classProblemId));
    if (n) notes.set(i.number, classNote(n));
  }
  return notes;
}

// The QR page's facts for class members (issue 7 §3): the line "本问题与其他 N 家企业的同类问题合并办理" and,
// while the class is being handled, its deadline, which is the date promised to every open member (the
// member's own may have passed while it waited for the class). One read of the class problems named, and only
// when one of the enterprise's issues is a member (most have none).
import type { Types } from 'mongoose';
import type { ClassState } from '../models/class-problem.model.ts';
import type { Models } from '../models/index.ts';

export const classNote = (others: number) => `本问题与其他 ${others} 家企业的同类问题合并办理`;

export interface ClassFacts {
  /** The line per issue number, for the issues that belong to a class problem. */
  notes: Map<string, string>;
  /** The deadline of each class problem named that is still being handled, by its id. */
  deadlines: Map<string, Date>;
}

export async function classFactsOf(
  models: Models,
  issues: readonly { number: string; classProblemId?: Types.ObjectId | null }[],
): Promise<ClassFacts> {
  const facts: ClassFacts = { notes: new Map(), deadlines: new Map() };
  const linked = issues.filter((i) => i.classProblemId);
  if (!linked.length) return facts;
  const classes = await models.ClassProblem.collection
    .find<{ _id: Types.ObjectId; enterpriseCount: number; state: ClassState; deadline: Date }>(
      { _id: { $in: linked.map((i) => i.classProblemId!) } },
      { projection: { enterpriseCount: 1, state: 1, deadline: 1 } },
    )
    .toArray();
  const others = new Map(classes.map((c) => [String(c._id), Math.max(0, c.enterpriseCount - 1)]));
  for (const c of classes) if (c.state === 'handling') facts.deadlines.set(String(c._id), c.deadline);
  for (const i of linked) {
    const n = others.get(String(i.classProblemId));
    if (n) facts.notes.set(i.number, classNote(n));
  }
  return facts;
}

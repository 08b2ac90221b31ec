// The in-app notice to a promoted class problem's units (issue 7 §3): the lead unit's and each co-unit's
// handlers and head hear once per class (the outbox key names the class and the unit) that their unit leads
// or co-handles it, with the member count and the deadline. Pure: builds the notice the notifier writes.
import type { ClassProblemDoc } from '../models/class-problem.model.ts';
import { formatChinaTime } from '../notify/notice-text.ts';
import type { UnitNotice } from '../notify/notifier.ts';

type Promoted = Pick<
  ClassProblemDoc,
  '_id' | 'number' | 'title' | 'leadUnitId' | 'leadUnitName' | 'coUnitIds' | 'memberIds' | 'deadline'
>;

export function classUnitNotice(cls: Promoted): UnitNotice {
  const lead = String(cls.leadUnitId);
  // A unit named both lead and co-unit hears once, as the lead.
  const co = [...new Set(cls.coUnitIds.map(String))].filter((id) => id !== lead);
  const vars = (role: string) => ({
    role,
    number: cls.number,
    title: cls.title,
    leadUnit: cls.leadUnitName,
    memberCount: String(cls.memberIds.length),
    deadline: formatChinaTime(cls.deadline),
  });
  return {
    fact: `class:${String(cls._id)}`,
    event: 'class_problem_unit',
    subject: cls.number,
    units: [
      { unitId: lead, vars: vars('牵头办理') },
      ...co.map((unitId) => ({ unitId, vars: vars('协办') })),
    ],
  };
}

// What the admin's user form says of a user's 区域 where it offers no choice of it. Only a leader's region is a
// domain (DESIGN §4, §7: which county's red and overdue issues, and their notices, are theirs); the centre, the
// supervisor and the units' members act city-wide or on their unit's issues whatever their region, and the
// server refuses a region for them (user-admin.command.ts region_not_applicable).
import { ROLE_LABELS, UNIT_ROLES, type Role } from '../../../shared/roles.ts';

/** The note under the form's 所属单位 for a user with or without a unit (a leader without one picks a region). */
export function regionNote(role: Role, inUnit: boolean): string {
  // A unit's member has no unit yet while the form is being filled in: the unit is still to choose.
  if (!inUnit && UNIT_ROLES.includes(role))
    return `${ROLE_LABELS[role]}须选择所属单位，只办理该单位的工单；区域随单位所在区县。`;
  if (!inUnit) return `${ROLE_LABELS[role]}的工作范围为全市，不设区域。`;
  if (role === 'leader') return '区域随所属单位所在区县，决定该领导收到哪个区县的红灯、超期通知。';
  return `区域随所属单位所在区县，不影响${ROLE_LABELS[role]}的工作范围和收到的通知。`;
}

// The issue page's notice after an action: what was done and, when the issue moved (another state or unit),
// where it went. Some actions move it without the user picking where: 重新分类 of a waiting issue routes it by
// the new category, so the notice names the unit it went to. A request left for approval is submitted, not done.
// A unit's own 退单 (or a step that hands the issue to other units) takes it out of the unit's reach: the page
// cannot stay on it (every further read is refused), so it says so and leaves (leftTheUnit).
import { UNIT_ROLES, type Role } from '../../../shared/roles.ts';
import { STATE_LABELS } from '../../../shared/states.ts';
import type { IssueDetail } from './types.ts';

type Place = Pick<IssueDetail, 'state' | 'unitId' | 'unitName'> &
  Partial<Pick<IssueDetail, 'pendingApproval'>>;

export function actionOutcome(before: Place | null, after: Place, label: string): string {
  if (after.pendingApproval && !before?.pendingApproval) return `「${label}」已提交，等待服务中心审批`;
  const moved: string[] = [];
  if (before && before.state !== after.state) moved.push(`现为「${STATE_LABELS[after.state]}」`);
  if (before && after.unitId && before.unitId !== after.unitId && after.unitName)
    moved.push(`承办单位：${after.unitName}`);
  return `「${label}」已完成${moved.length ? `，${moved.join('，')}` : ''}，并记入办理过程`;
}

/** A unit's staff whose unit no longer holds the issue (lead, co-unit or consulted) after their action. */
export function leftTheUnit(
  user: { role: Role; unitId: string | null } | null,
  after: Pick<IssueDetail, 'unitId' | 'coUnitIds' | 'consultation'>,
): boolean {
  if (!user || !UNIT_ROLES.includes(user.role) || !user.unitId) return false;
  const holders = [after.unitId, ...after.coUnitIds, ...(after.consultation?.unitIds ?? [])];
  return !holders.includes(user.unitId);
}

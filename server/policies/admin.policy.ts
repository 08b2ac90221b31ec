// Actor-level policies for everything that is not an issue: configuration (admin only), the directory of
// units and enterprises (all staff), enterprise codes, and the demo clock. Pure functions, tested as a matrix.
import { CENTRE_ROLES, UNIT_ROLES, type Actor, type Role } from '../../shared/roles.ts';

const is =
  (...roles: Role[]) =>
  (actor: Actor): boolean =>
    roles.includes(actor.role);

const anyStaff = (_actor: Actor): boolean => true;

export const canListUsers = is('admin');
export const canManageUsers = is('admin');
export const canManageUnits = is('admin');
export const canManageSettings = is('admin');
/** 操作日志 (server/audit): who changed configuration, people, enterprises and channels. */
export const canViewAudit = is('admin');
export const canViewUnits = anyStaff;
/** Routing rules and the working calendar are read by every desk (dispatch pickers, deadline hints). */
export const canViewConfig = anyStaff;
export const canViewEnterprises = anyStaff;
export const canCreateEnterprise = is('admin', 'clerk', 'dispatcher');
export const canEditEnterprise = is('admin', 'clerk', 'dispatcher');
/**
 * An enterprise's accepted senders (mail addresses and WeChat followers that get its QR link and may get the
 * owner's notices): seen and taken back by whoever may accept them, the centre and admins, who confirm or merge
 * provisional enterprises with 来信人已核实 (canReviewProvisionalEnterprises). The director, who accepts them
 * there without editing the register, takes a wrong acceptance back without asking a clerk.
 */
export const canManageEnterpriseSenders = is('admin', ...CENTRE_ROLES);
/** The PIN is handed to the owner in person at the window, so only the desks that register may set it. */
export const canSetEnterprisePin = is('admin', 'clerk');
/**
 * The registered mobile and the enterprise code (its URL is the public page's bearer credential) are for the
 * desks that register enterprises, hand out codes and call owners back: the service centre and admins.
 */
export const canViewEnterpriseCredentials = is('admin', ...CENTRE_ROLES);
export const canViewEnterpriseQr = canViewEnterpriseCredentials;
/**
 * Finding an enterprise by its whole registered mobile (a clerk on the phone) is reading the mobile: to anyone
 * else, who sees it masked (139****1234), the search would confirm the four hidden digits in at most 10,000 tries.
 */
export const canFindEnterpriseByMobile = canViewEnterpriseCredentials;
/** A unit's staff see an enterprise's contact while their unit handles (or co-handles) one of its issues. */
export const mayViewContactAsHandler = (actor: Actor): boolean =>
  UNIT_ROLES.includes(actor.role) && !!actor.unitId;
/**
 * Who wrote in and how to reach them (an issue's contact and its sources' contacts), in full: the centre and
 * admins, and a unit's staff, who read only issues their unit handles, co-handles or is consulted on. Leaders
 * and the supervisor read issues to follow and judge the work, not to call the writer: they see it masked.
 */
export const canViewIssueContact = is('admin', ...CENTRE_ROLES, ...UNIT_ROLES);
export const canRotateEnterpriseQr = is('admin', 'clerk');
export const canClassify = anyStaff;
export const canUseDevClock = is('admin');

export interface UserChange {
  role?: Role;
  disabled?: boolean;
}

/**
 * An admin may edit any account, but not lock themselves out: no disabling or demoting their own account
 * (another admin must do it), so the system always keeps at least the acting admin.
 */
export function canEditUser(actor: Actor, target: { id: string }, change: UserChange): boolean {
  if (actor.role !== 'admin') return false;
  if (target.id === actor.id) {
    if (change.disabled === true) return false;
    if (change.role !== undefined && change.role !== 'admin') return false;
  }
  return true;
}

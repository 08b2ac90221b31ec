// Staff roles of DESIGN §7 and the acting identity passed into every pure domain function.

export const ROLES = [
  'clerk',
  'dispatcher',
  'handler',
  'unit_head',
  'director',
  'leader',
  'supervisor',
  'admin',
] as const;

export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Readonly<Record<Role, string>> = Object.freeze({
  clerk: '受理员',
  dispatcher: '分办员',
  handler: '经办人',
  unit_head: '负责人',
  director: '中心主任',
  leader: '市领导',
  supervisor: '督查',
  admin: '系统管理员',
});

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Who performs an action. Staff belong to a unit and a region; the system sweep acts as `system`. */
export interface Actor {
  id: string;
  username: string;
  /** Display name shown in timelines (e.g. 陈志强); falls back to the username. */
  name?: string;
  role: Role;
  unitId?: string;
  region?: string;
}

/** Roles that work inside a responsible unit (they act on their own unit's issues only). */
export const UNIT_ROLES: readonly Role[] = Object.freeze(['handler', 'unit_head'] as Role[]);

/** Service-centre roles: intake, dispatch, verification, coordination. */
export const CENTRE_ROLES: readonly Role[] = Object.freeze(['clerk', 'dispatcher', 'director'] as Role[]);

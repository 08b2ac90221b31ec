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

/** A staff member's region meaning "the whole city". */
/** Who works the intake hub's dead letters (retry, discard): the centre's intake desks and admins. */
export const INBOX_ROLES: readonly Role[] = Object.freeze(['admin', 'clerk', 'dispatcher', 'director']);

export const CITY_REGION = 'city';

/** A reach of the whole city: a region of `city`, or none given. */
export const isCitywide = (actor: Pick<Actor, 'region'>): boolean =>
  !actor.region || actor.region === CITY_REGION;

/** A staff member's role as people call it: a leader whose reach is a county is a 区县领导, not a 市领导. */
export function roleLabelOf(actor: Pick<Actor, 'role' | 'region'>): string {
  return actor.role === 'leader' && !isCitywide(actor) ? '区县领导' : ROLE_LABELS[actor.role];
}

/**
 * Promoting a cluster to a class problem, adding and removing its members and 政策性解决 (DESIGN §4): the
 * city's coordination tier, the centre director and a city-wide leader. A class crosses county lines, so a
 * county leader reads it and does not manage it. Shared, so the staff app offers what the API allows.
 */
export function managesClassProblems(actor: Pick<Actor, 'role' | 'region'>): boolean {
  return actor.role === 'director' || (actor.role === 'leader' && isCitywide(actor));
}

/** Roles that work inside a responsible unit (they act on their own unit's issues only). */
export const UNIT_ROLES: readonly Role[] = Object.freeze(['handler', 'unit_head'] as Role[]);

/** Service-centre roles: intake, dispatch, verification, coordination. */
export const CENTRE_ROLES: readonly Role[] = Object.freeze(['clerk', 'dispatcher', 'director'] as Role[]);

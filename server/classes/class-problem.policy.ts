// Who may see and act on class problems (issue 7 §3). Pure, tested as a role matrix. Class problems span
// enterprises, units and regions, so they belong to the people who coordinate across them.
import type { Actor, Role } from '../../shared/roles.ts';

const is =
  (...roles: Role[]) =>
  (actor: Actor): boolean =>
    roles.includes(actor.role);

/** The candidate clusters, the class problems and their report. */
export const canViewClassProblems = is('director', 'leader', 'admin', 'supervisor', 'dispatcher');
/** Running the clustering now (it also runs on its schedule). */
export const canRunClustering = is('director', 'leader', 'admin');
/** Promoting a cluster, adding and removing members, 政策性解决: the coordination tiers (DESIGN §4). */
export const canManageClassProblems = is('director', 'leader');
/** Verifying the members' class answer, as the centre verifies any reply (DESIGN §3). */
export const canVerifyClassReplies = is('dispatcher', 'director');

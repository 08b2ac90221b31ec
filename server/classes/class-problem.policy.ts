// Who may see and act on class problems (issue 7 §3). Pure, tested as a role matrix. Class problems span
// enterprises, units and regions, so they belong to the people who coordinate across them; the units named to
// lead or co-handle one may read it (DESIGN §4: managing it stays with the director and a city-wide leader).
// Each member's content is shown only to a reader who may open that issue (screens.policy canReadIssue).
import { managesClassProblems, type Actor, type Role } from '../../shared/roles.ts';

const is =
  (...roles: Role[]) =>
  (actor: Actor): boolean =>
    roles.includes(actor.role);

/** The candidate clusters, the class problems and their report. */
export const canViewClassProblems = is('director', 'leader', 'admin', 'supervisor', 'dispatcher');
/**
 * Running the city-wide clustering now (it also runs on its schedule): those who manage classes, and the admin.
 * A county leader reads the candidates but does not re-run the city's clustering (the screen offers it only
 * to these).
 */
export const canRunClustering = (actor: Actor): boolean =>
  managesClassProblems(actor) || actor.role === 'admin';
/** Promoting a cluster, adding and removing members, 政策性解决: the city's coordination tier (DESIGN §4). */
export const canManageClassProblems = (actor: Actor): boolean => managesClassProblems(actor);
/** Verifying the members' class answer, as the centre verifies any reply (DESIGN §3). */
export const canVerifyClassReplies = is('dispatcher', 'director');
/** Handlers and unit heads read the class problems their unit leads or co-handles, and nothing else of them. */
export const isClassUnitStaff = is('handler', 'unit_head');
/** Who may open /api/class-problems at all (each route then narrows). */
export const canOpenClassProblems = (actor: Actor): boolean =>
  canViewClassProblems(actor) || isClassUnitStaff(actor);

/** One class problem: the coordinating roles, or the staff of its lead unit or a co-unit. */
export function canReadClassProblem(
  actor: Actor,
  cls: { leadUnitId: unknown; coUnitIds: readonly unknown[] },
): boolean {
  if (canViewClassProblems(actor)) return true;
  const unit = actor.unitId;
  return (
    isClassUnitStaff(actor) && !!unit && [cls.leadUnitId, ...cls.coUnitIds].some((id) => String(id) === unit)
  );
}

// Who may work the intake hub's back office: the dead-letter list and provisional enterprises belong to the
// service centre's intake desks (and admins, who wire the channels); channel credentials to admins only.
import { INBOX_ROLES, type Actor, type Role } from '../../shared/roles.ts';

const is =
  (...roles: Role[]) =>
  (actor: Actor): boolean =>
    roles.includes(actor.role);

export const canManageInbox = is(...INBOX_ROLES);
/**
 * A processed entry is an issue's message, with who wrote in: the centre reads it; an admin, who reads no issue,
 * works only the entries that became no issue (failed, discarded).
 */
export const canReadProcessedInbox = is('clerk', 'dispatcher', 'director');
export const canReviewProvisionalEnterprises = is('admin', 'clerk', 'dispatcher', 'director');
export const canManageChannelCredentials = is('admin');

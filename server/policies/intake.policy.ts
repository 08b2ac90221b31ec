// Who may work the intake hub's back office: the dead-letter list and provisional enterprises belong to the
// service centre's intake desks (and admins, who wire the channels); channel credentials to admins only.
import { INBOX_ROLES, type Actor, type Role } from '../../shared/roles.ts';

const is =
  (...roles: Role[]) =>
  (actor: Actor): boolean =>
    roles.includes(actor.role);

export const canManageInbox = is(...INBOX_ROLES);
export const canReviewProvisionalEnterprises = is('admin', 'clerk', 'dispatcher', 'director');
export const canManageChannelCredentials = is('admin');

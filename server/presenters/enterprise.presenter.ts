// Field whitelists for enterprises as staff see them, by least privilege. Everyone sees the summary (the
// mobile masked, and the owner's name masked too for whoever may not contact the enterprise, as an issue's
// contact is). The registered mobile and email and the enterprise-code URL (the public page's bearer
// credential) go only to the service centre and admins; a unit's staff see the owner, mobile and email of an
// enterprise whose issue their unit handles, never the code. The PIN hash never leaves the server.
import type { Actor } from '../../shared/roles.ts';
import type { EnterpriseDoc } from '../models/index.ts';
import { canViewEnterpriseCredentials } from '../policies/index.ts';
import { maskPersonName } from './enterprise-public.presenter.ts';

/** The URL printed in an enterprise's QR code. */
export function enterpriseCodeUrl(publicBaseUrl: string, qrToken: string): string {
  return `${publicBaseUrl}/e/${qrToken}`;
}

function maskMobile(mobile: string | undefined): string {
  if (!mobile) return '';
  return mobile.length === 11 ? `${mobile.slice(0, 3)}****${mobile.slice(7)}` : '****';
}

type EnterpriseLike = Omit<EnterpriseDoc, 'pinHash'> & { pinHash?: string | null };

/** `masked`: the owner's name as a surname (郭**), for staff who may not contact the enterprise. */
export function presentEnterpriseSummary(e: EnterpriseLike, masked = false) {
  return {
    id: String(e._id),
    creditCode: e.creditCode,
    name: e.name,
    region: e.region,
    /** Its township unit's code (乡镇/街道), or null. */
    township: e.township || null,
    industry: e.industry,
    address: e.address,
    ownerName: masked && e.ownerName ? maskPersonName(e.ownerName) : e.ownerName,
    mobileMasked: maskMobile(e.mobile),
    /** Registered by intake from a message; awaiting the centre's confirmation or merge. */
    provisional: e.provisional === true,
  };
}

/**
 * How to reach the enterprise: the registered mobile and email, every address mail is matched on, and how its
 * owner chose to hear from the centre on the QR page (`null`: never chosen, an SMS to the registered mobile).
 */
function contactOf(e: EnterpriseLike) {
  const notify = e.notify ? { channel: e.notify.channel, email: e.notify.email } : null;
  return { mobile: e.mobile ?? '', email: e.email ?? '', emails: e.emails ?? [], notify };
}

export function presentEnterprise(e: EnterpriseLike, publicBaseUrl: string) {
  return {
    ...presentEnterpriseSummary(e),
    ...contactOf(e),
    qrUrl: enterpriseCodeUrl(publicBaseUrl, e.qrToken),
    qrIssuedAt: e.qrIssuedAt.toISOString(),
    createdAt: e.createdAt.toISOString(),
  };
}

/** What the actor's unit has to do with the enterprise (decided by the route: one indexed read). */
export interface EnterpriseRelation {
  /** The actor's unit handles or co-handles at least one of the enterprise's issues. */
  handlesIssue: boolean;
}

/** The detail view an actor may see: full, summary plus contact, or summary. */
export function presentEnterpriseFor(
  actor: Actor,
  e: EnterpriseLike,
  publicBaseUrl: string,
  relation: EnterpriseRelation = { handlesIssue: false },
) {
  if (canViewEnterpriseCredentials(actor)) return presentEnterprise(e, publicBaseUrl);
  if (relation.handlesIssue) return { ...presentEnterpriseSummary(e), ...contactOf(e) };
  return presentEnterpriseSummary(e, true);
}

/** A directory row as the actor may see it: the owner's name whole for the centre and admins only. */
export function presentEnterpriseRowFor(actor: Actor, e: EnterpriseLike) {
  return presentEnterpriseSummary(e, !canViewEnterpriseCredentials(actor));
}

// Field whitelists for enterprises as staff see them. The list masks the registered mobile; the detail view
// shows it (staff call owners back) plus the enterprise-code URL. The PIN hash never leaves the server.
import type { EnterpriseDoc } from '../models/index.ts';

/** The URL printed in an enterprise's QR code. */
export function enterpriseCodeUrl(publicBaseUrl: string, qrToken: string): string {
  return `${publicBaseUrl}/e/${qrToken}`;
}

function maskMobile(mobile: string | undefined): string {
  if (!mobile) return '';
  return mobile.length === 11 ? `${mobile.slice(0, 3)}****${mobile.slice(7)}` : '****';
}

type EnterpriseLike = Omit<EnterpriseDoc, 'pinHash'> & { pinHash?: string | null };

export function presentEnterpriseSummary(e: EnterpriseLike) {
  return {
    id: String(e._id),
    creditCode: e.creditCode,
    name: e.name,
    region: e.region,
    industry: e.industry,
    address: e.address,
    ownerName: e.ownerName,
    mobileMasked: maskMobile(e.mobile),
    /** Registered by intake from a message; awaiting the centre's confirmation or merge. */
    provisional: e.provisional === true,
  };
}

export function presentEnterprise(e: EnterpriseLike, publicBaseUrl: string) {
  return {
    ...presentEnterpriseSummary(e),
    mobile: e.mobile ?? '',
    qrUrl: enterpriseCodeUrl(publicBaseUrl, e.qrToken),
    qrIssuedAt: e.qrIssuedAt.toISOString(),
    createdAt: e.createdAt.toISOString(),
  };
}

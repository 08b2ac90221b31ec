// Field whitelists for notifications: a staff member's in-app notifications, and outbox rows for admins
// (addresses masked: an admin checks delivery, not phone numbers).
import type { NotificationDoc, OutboxDoc } from '../models/index.ts';
import { maskMobile } from './enterprise-public.presenter.ts';

export function presentNotification(n: NotificationDoc) {
  return {
    id: String(n._id),
    event: n.event,
    title: n.title,
    text: n.text,
    issueId: n.issueId ? String(n.issueId) : null,
    issueNumber: n.issueNumber,
    read: n.readAt !== null,
    createdAt: n.createdAt.toISOString(),
  };
}

function maskAddress(address: string | null): string | null {
  if (!address) return null;
  if (/^1\d{10}$/.test(address)) return maskMobile(address);
  const at = address.indexOf('@');
  if (at > 0) return `${address.slice(0, 1)}***${address.slice(at)}`;
  return address;
}

export function presentOutboxEntry(o: OutboxDoc, opts: { fullAddress?: boolean } = {}) {
  return {
    id: String(o._id),
    key: o.key,
    event: o.event,
    channel: o.channel,
    recipient: {
      kind: o.recipient.kind,
      id: o.recipient.id,
      name: o.recipient.name,
      address: opts.fullAddress ? o.recipient.address : maskAddress(o.recipient.address),
    },
    issueId: o.issueId ? String(o.issueId) : null,
    issueNumber: o.issueNumber,
    title: o.title,
    text: o.text,
    status: o.status,
    attempts: o.attempts,
    nextAttemptAt: o.nextAttemptAt.toISOString(),
    lastError: o.lastError,
    createdAt: o.createdAt.toISOString(),
    sentAt: o.sentAt ? o.sentAt.toISOString() : null,
  };
}

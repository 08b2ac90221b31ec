// The inbox entry as the centre's dead-letter desk sees it: what arrived, from where, what became of it and why
// it failed. The raw text of an unparseable message is shown (it is what people must read to fix it); the
// delivering credential is named by id only, and a clerk who registered it by hand by name and role.
import type { InboxEntryDoc } from '../models/inbox.model.ts';
import { notRetryable } from '../intake/inbox-store.ts';

export function presentInboxEntry(e: InboxEntryDoc) {
  return {
    id: String(e._id),
    channel: e.channel,
    externalId: e.externalId ?? null,
    status: e.status,
    summary: e.summary,
    receivedAt: e.receivedAt,
    acceptedAt: e.acceptedAt,
    origin: { kind: e.origin.kind, name: e.origin.name },
    credentialId: e.credentialId,
    reason: e.reason,
    attempts: e.attempts,
    // 重试 only where it can help; the others are registered by hand or discarded.
    retryable: e.status === 'failed' && notRetryable(e) === null,
    issueId: e.status === 'processed' ? String(e.issueId) : null,
    number: e.number,
    outcome: e.outcome,
    discardReason: e.discardReason,
    refusedAttachments: e.refusedAttachments ?? [],
    // Who registered it by hand (人工登记): name and role, never more.
    registeredBy: e.registration ? { name: e.registration.by.name, role: e.registration.by.role } : null,
    registeredAt: e.registration ? e.registration.at : null,
    message: e.message,
    raw: e.raw,
    updatedAt: e.updatedAt,
  };
}

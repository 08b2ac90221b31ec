// Field whitelists for notifications: a staff member's in-app notifications, and outbox rows for admins
// (addresses masked: an admin checks delivery, not phone numbers; the event and the way named in Chinese for
// the 通知发送 screen, beside the codes that filter).
import type { NotificationDoc, OutboxDoc } from '../models/index.ts';
import type { OutboxChannel } from '../models/outbox.model.ts';
import { EVENT_SPECS, type NotifyEvent } from '../notify/templates.ts';
import { maskEmail, maskMobile } from './enterprise-public.presenter.ts';

export const OUTBOX_CHANNEL_LABELS: Readonly<Record<OutboxChannel, string>> = Object.freeze({
  inapp: '站内通知',
  sms: '短信',
  email: '电子邮件',
  wechat: '微信',
  pushback: '回传来源渠道',
});

/** Outbox events that are not notification templates (sent directly, recorded for the admin). */
const OTHER_EVENT_LABELS: Readonly<Record<string, string>> = Object.freeze({
  verification_code: '企业码验证短信',
  owner_mobile_changed: '登记手机号变更告知',
  owner_preference_changed: '通知方式变更告知',
});

export function outboxEventLabel(event: string): string {
  if (Object.hasOwn(EVENT_SPECS, event)) return EVENT_SPECS[event as NotifyEvent].label;
  return Object.hasOwn(OTHER_EVENT_LABELS, event) ? OTHER_EVENT_LABELS[event]! : event;
}

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
  return address.indexOf('@') > 0 ? maskEmail(address) : address;
}

export function presentOutboxEntry(o: OutboxDoc, opts: { fullAddress?: boolean } = {}) {
  return {
    id: String(o._id),
    key: o.key,
    event: o.event,
    eventLabel: outboxEventLabel(o.event),
    channel: o.channel,
    channelLabel: OUTBOX_CHANNEL_LABELS[o.channel] ?? o.channel,
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

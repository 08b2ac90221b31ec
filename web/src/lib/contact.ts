// Who to call about an issue. A message may come without any contact (a window visit typed in without one, an
// anonymous hotline call): the enterprise's registered owner and mobile are then the way to reach it within
// 首次联系时限, as far as the reader's role may see them (server/presenters/enterprise.presenter.ts: the centre
// and the handling unit get the mobile, others only the masked one).
import type { EnterpriseRecord } from '../components/enterprise/EnterpriseForm.vue';
import type { IssueContact } from './types.ts';

/** Whether the message left anything to reach its sender by. */
export function hasContact(c: IssueContact | null | undefined): boolean {
  return !!(c?.name?.trim() || c?.phone?.trim() || c?.phoneText?.trim() || c?.email?.trim() || c?.openid);
}

/**
 * Whether the message left a way to reach its sender: a number to call, an address or a WeChat follower. A name
 * alone, or a number that is none (`phoneText`: 12345), is not: the registered contact is offered beside it.
 */
export function canReach(c: IssueContact | null | undefined): boolean {
  return !!(c?.phone?.trim() || c?.email?.trim() || c?.openid);
}

/** The enterprise's registered contact as a contact line, or null when it has none the reader may see. */
export function registeredContact(e: EnterpriseRecord): IssueContact | null {
  const phone = e.mobile || e.mobileMasked || '';
  const contact: IssueContact = {
    name: e.ownerName || undefined,
    phone: phone || undefined,
    email: e.email || undefined,
    masked: !e.mobile && !!e.mobileMasked,
  };
  return hasContact(contact) ? contact : null;
}

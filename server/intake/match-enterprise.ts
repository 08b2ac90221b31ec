// Which enterprise a message is about (DESIGN §7: the credit code is the natural key across channels). In
// order: the credit code (GB 32100, check character validated); then the registered mobile, one of the known
// email addresses or a bound WeChat openid of the sender; then the name, exactly and then normalised
// (shared/enterprise-name.ts), which also finds 德清优品测绘科技集团有限公司 from the short 德清优品测绘科技. A
// sender's contact says who is writing, the name what they write about: when the message names another
// registered enterprise than the one its sender's contact belongs to (an owner of two firms, an agent), the
// named one wins; a name the register does not know leaves the contact's enterprise. A
// contact or a name that points at two enterprises is no answer, unless only one of them is registered: a
// provisional enterprise an earlier message left under the same name does not hide the registered one. When
// nothing matches, the message is about an enterprise the register does not know: a provisional one is
// created for the centre to confirm or merge, and the issue is never dropped.
//
// The order and the provisional record are pure; the lookups are injected (one indexed read each, and a
// message with a known credit code costs exactly one).
import { isValidCreditCode, normalizeCreditCode } from '../../shared/credit-code.ts';
import { enterpriseNameKey, PLACEHOLDER_NAME } from '../../shared/enterprise-name.ts';
import { CITY_REGION, COUNTIES } from '../../config/units.ts';
import type { InboundContact, InboundEnterpriseHint } from '../channels/types.ts';
import { maskEmail, maskMobile, maskPersonName } from '../presenters/enterprise-public.presenter.ts';

export type MatchedBy = 'credit_code' | 'mobile' | 'email' | 'openid' | 'name' | 'name_key';

export type MatchStep =
  | { by: 'credit_code'; value: string }
  | { by: 'mobile' | 'email' | 'openid' | 'name' | 'name_key'; value: string };

/**
 * One indexed read per step; a step answers the enterprises it found, registered and provisional (a few are
 * enough to tell one registered enterprise among provisional namesakes from an ambiguous answer).
 */
export type EnterpriseLookup<E> = (step: MatchStep) => Promise<E[]>;

export type MatchResult<E> =
  { enterprise: E; by: MatchedBy } | { enterprise: null; provisional: ProvisionalEnterprise };

/** A mobile as registers store it: 11 digits, without +86, spaces or dashes. */
export function normaliseMobile(phone: string | undefined): string | undefined {
  if (!phone) return undefined;
  const digits = phone.replace(/[\s-]/g, '').replace(/^(\+?86)/, '');
  return /^1[3-9]\d{9}$/.test(digits) ? digits : undefined;
}

export function normaliseEmail(email: string | undefined): string | undefined {
  const e = email?.trim().toLowerCase();
  return e && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e) ? e : undefined;
}

/** The lookups to try, in order (pure). */
export function matchSteps(hint: InboundEnterpriseHint, contact: InboundContact): MatchStep[] {
  const steps: MatchStep[] = [];
  if (hint.creditCode && isValidCreditCode(hint.creditCode))
    steps.push({ by: 'credit_code', value: normalizeCreditCode(hint.creditCode) });
  const mobile = normaliseMobile(contact.phone);
  if (mobile) steps.push({ by: 'mobile', value: mobile });
  const email = normaliseEmail(contact.email);
  if (email) steps.push({ by: 'email', value: email });
  if (contact.openid) steps.push({ by: 'openid', value: contact.openid });
  const name = hint.name?.normalize('NFKC').trim();
  if (name) {
    // The key even when it is the name as given: a short form (德清优品测绘科技) is the key of the full one.
    steps.push({ by: 'name', value: name }, { by: 'name_key', value: enterpriseNameKey(name) });
  }
  return steps;
}

// GB/T 2260 division codes of the counties (the 3rd to 8th characters of a credit code).
const DIVISION_REGIONS: Readonly<Record<string, string>> = Object.freeze({
  '330502': 'wuxing',
  '330503': 'nanxun',
  '330521': 'deqing',
  '330522': 'changxing',
  '330523': 'anji',
});

/** The region a new enterprise probably belongs to: its credit code's division, a county in its name, or the city. */
export function guessRegion(hint: InboundEnterpriseHint): string {
  const code =
    hint.creditCode && isValidCreditCode(hint.creditCode) ? normalizeCreditCode(hint.creditCode) : '';
  const byDivision = DIVISION_REGIONS[code.slice(2, 8)];
  if (byDivision) return byDivision;
  const name = hint.name ?? '';
  const county = COUNTIES.find((c) => name.includes(c.name.slice(0, 2)));
  return county?.code ?? CITY_REGION;
}

/** What intake records for an enterprise the register does not know. */
export interface ProvisionalEnterprise {
  creditCode?: string;
  name: string;
  region: string;
  mobile?: string;
  email?: string;
  emails?: string[];
  wechatOpenids?: string[];
  ownerName?: string;
  provisional: true;
  provisionalNote: string;
}

/** Who wrote, when nothing but the channel's own id is known: 微信用户…a1b2 tells two followers apart. */
function senderOf(channelLabel: string, openid: string | undefined): string {
  return openid ? `${channelLabel}用户…${openid.slice(-4)}` : `${channelLabel}来件，来源不明`;
}

export function provisionalEnterprise(
  hint: InboundEnterpriseHint,
  contact: InboundContact,
  channelLabel: string,
): ProvisionalEnterprise {
  const creditCode =
    hint.creditCode && isValidCreditCode(hint.creditCode) ? normalizeCreditCode(hint.creditCode) : undefined;
  const mobile = normaliseMobile(contact.phone);
  const email = normaliseEmail(contact.email);
  // The name goes wherever the issue does (lists, the supervisor's and leaders' screens, exports), so the
  // writer in it is masked as a masked contact reads (李**, 138****1111, w***@example.cn); the centre has the
  // contact itself on the issue and the enterprise.
  const writer = contact.name
    ? maskPersonName(contact.name)
    : mobile
      ? maskMobile(mobile)
      : email
        ? maskEmail(email)
        : senderOf(channelLabel, contact.openid);
  const given = hint.nameFromText ? undefined : hint.name?.normalize('NFKC').trim().slice(0, 100);
  const name = given || `${PLACEHOLDER_NAME}（${creditCode ?? writer}）`;
  return {
    ...(creditCode ? { creditCode } : {}),
    name,
    region: guessRegion(hint),
    ...(mobile ? { mobile } : {}),
    ...(email ? { email, emails: [email] } : {}),
    ...(contact.openid ? { wechatOpenids: [contact.openid] } : {}),
    ...(contact.name ? { ownerName: contact.name.slice(0, 50) } : {}),
    provisional: true,
    provisionalNote: `由「${channelLabel}」渠道来件自动登记，待中心确认或合并`,
  };
}

/**
 * Tries the steps in order; the first that finds exactly one enterprise wins. A credit code that is valid but
 * unknown names a new enterprise: nothing else is tried (a sender's phone may belong to another firm).
 */
export async function matchEnterprise<E extends { provisional?: boolean | null; name?: string | null }>(
  lookup: EnterpriseLookup<E>,
  hint: InboundEnterpriseHint,
  contact: InboundContact,
  channelLabel: string,
): Promise<MatchResult<E>> {
  const steps = matchSteps(hint, contact);
  // A provisional enterprise found alone holds only until a later step finds a registered one.
  let tentative: { enterprise: E; by: MatchedBy } | undefined;
  for (const step of steps) {
    const found = await lookup(step);
    const registered = found.filter((e) => !e.provisional);
    if (registered.length === 1) {
      const [enterprise] = registered;
      // A name given in a field (a 12345 operator's) beats the contact; one read from free text never does.
      if (CONTACT_STEPS.has(step.by) && !hint.nameFromText && namesAnother(hint, enterprise)) {
        const named = await registeredByName(lookup, steps);
        if (named) return named;
      }
      return { enterprise, by: step.by };
    }
    if (found.length === 1) tentative ??= { enterprise: found[0], by: step.by };
    if (step.by === 'credit_code') break;
  }
  return tentative ?? { enterprise: null, provisional: provisionalEnterprise(hint, contact, channelLabel) };
}

const CONTACT_STEPS: ReadonlySet<MatchedBy> = new Set(['mobile', 'email', 'openid']);

/** Whether the message names an enterprise and it is not this one (compared by their normalised names). */
function namesAnother(hint: InboundEnterpriseHint, enterprise: { name?: string | null }): boolean {
  const name = hint.name?.normalize('NFKC').trim();
  return !!name && enterpriseNameKey(name) !== enterpriseNameKey(enterprise.name ?? '');
}

/** The one registered enterprise the message's name finds, exactly or normalised; else none. */
async function registeredByName<E extends { provisional?: boolean | null }>(
  lookup: EnterpriseLookup<E>,
  steps: readonly MatchStep[],
): Promise<{ enterprise: E; by: MatchedBy } | undefined> {
  for (const step of steps.filter((s) => s.by === 'name' || s.by === 'name_key')) {
    const registered = (await lookup(step)).filter((e) => !e.provisional);
    if (registered.length === 1) return { enterprise: registered[0], by: step.by };
  }
  return undefined;
}

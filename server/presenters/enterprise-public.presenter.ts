// What the QR page shows about the enterprise itself. Anyone holding the printed code sees a masked name: the
// code may be photographed or its link forwarded, and the page would otherwise tie a named company to its
// complaints with the government; the owner still recognises "湖州****有限公司" as theirs. The verified owner
// sees the full name. The registered mobile is only ever shown masked (to say where the code was sent).
import { isPlaceholderName, PLACEHOLDER_NAME } from '../../shared/enterprise-name.ts';

export function maskMobile(mobile: string | undefined): string {
  // A provisional enterprise (registered by intake from a message) may have no mobile yet.
  if (!mobile) return '';
  if (mobile.length < 7) return '*'.repeat(mobile.length);
  return `${mobile.slice(0, 3)}****${mobile.slice(-4)}`;
}

/** 李**: a person's surname, the rest hidden. */
export const maskPersonName = (name: string): string => `${[...name][0] ?? ''}**`;

/** z***@example.cn: the first character and the domain. */
export function maskEmail(email: string): string {
  const at = email.indexOf('@');
  return at > 0 ? `${email.slice(0, 1)}***${email.slice(at)}` : '***';
}

/**
 * Keeps the first two characters and the legal-form suffix (有限公司…), hides the distinctive middle. A
 * provisional enterprise's name says only that (its bracket names the writer, masked already: 待确****670）
 * read as nonsense).
 */
export function maskEnterpriseName(name: string): string {
  if (isPlaceholderName(name)) return PLACEHOLDER_NAME;
  const chars = [...name];
  if (chars.length <= 3) return `${chars[0] ?? ''}**`;
  const tail = chars.length >= 8 ? 4 : 1;
  return `${chars.slice(0, 2).join('')}****${chars.slice(-tail).join('')}`;
}

export function presentEnterprisePublic(e: { name: string; mobile: string }, verified: boolean) {
  return {
    name: verified ? e.name : maskEnterpriseName(e.name),
    maskedMobile: maskMobile(e.mobile),
  };
}

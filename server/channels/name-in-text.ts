// The company a message says it writes for (您好，我是德清众联物流集团有限公司的…; 我们某某有限公司反映…): the
// enterprise hint of an SMS or a mail that carries no credit code, so a second person of a registered firm,
// writing from a mobile the register does not know, is matched by the firm they name (and their repeat merges)
// instead of opening a provisional enterprise at another unit. Only a name introduced as the writer's own (我是,
// 我们, 我司, 本公司…) and ending in a legal form counts: a company a message complains about (某某建设有限公司
// 施工堵路) is not the writer, and filing it there would show the complaint on that company's QR page. The
// matcher decides, and only when the contact matched nothing: a name the register does not know changes
// nothing, and it never names a provisional enterprise. Pure.
import type { InboundEnterpriseHint } from './types.ts';

const LEGAL_FORM = '(?:股份有限公司|有限责任公司|有限公司|集团公司)';
const OWN = '(?:我们是|我们|我是|我这边是|这里是|我司|我公司|本公司|我单位|本单位)';
/** The introduction, then a run of Chinese (and the brackets names carry) ending in a legal form. */
const NAMED = new RegExp(`${OWN}[：:]?([\\u4e00-\\u9fa5（）()]{2,40}?${LEGAL_FORM})`, 'u');

export function nameInText(text: string): string | undefined {
  return NAMED.exec(text.normalize('NFKC').replace(/\s+/g, ''))?.[1];
}

/** The enterprise a free-text message names: its credit code when it gives one, else the firm it writes for. */
export function enterpriseHint(creditCode: string | undefined, text: string): InboundEnterpriseHint {
  if (creditCode) return { creditCode };
  const name = nameInText(text);
  return name ? { name, nameFromText: true } : {};
}

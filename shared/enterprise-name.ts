// The comparable form of an enterprise's name, so a hotline operator's "湖州德清绿源竹业有限公司" and the
// register's "德清绿源竹业股份有限公司" meet: full-width folded, spaces and punctuation dropped, the province and
// city prefix and the legal-form words (有限责任公司, 股份有限公司, 有限公司, 集团 ...) removed. Pure; the
// enterprise stores it (`nameKey`, indexed) and intake matches on it after the exact name.

const PREFIXES = ['浙江省', '浙江', '湖州市', '湖州'];
const LEGAL_FORMS = [
  '股份有限公司',
  '有限责任公司',
  '有限公司',
  '股份公司',
  '集团公司',
  '有限责任',
  '股份',
  '集团',
  '有限',
  '公司',
];
const PUNCTUATION = /[\s\p{P}\p{S}]/gu;

export function enterpriseNameKey(name: string): string {
  let key = name.normalize('NFKC').replace(PUNCTUATION, '');
  let again = true;
  while (again) {
    again = false;
    for (const p of PREFIXES) {
      if (key.startsWith(p) && key.length > p.length) {
        key = key.slice(p.length);
        again = true;
      }
    }
  }
  for (const form of LEGAL_FORMS) key = key.split(form).join('');
  // A name that is nothing but the words removed keeps its folded form rather than matching every other.
  return key || name.normalize('NFKC').replace(PUNCTUATION, '');
}

/**
 * What intake names an enterprise it registered without one (待确认企业（139****1111）): the bracket names the
 * writer, so it is a placeholder, never the name an enterprise is registered under.
 */
export const PLACEHOLDER_NAME = '待确认企业';

export const isPlaceholderName = (name: string): boolean => name.trim().startsWith(PLACEHOLDER_NAME);

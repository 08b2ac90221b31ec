// Identifiers as particulars of a duplicate check (repeat-entities.ts): numbered names (二期, 第三批, 2#车间,
// 07地块) and document numbers (〔2025〕12号, 合同号156), by kind. One template told of another project, parcel,
// contract, loan or workshop differs in nothing but such a number, and no closed list holds it. Pure; works on
// normalised text.
import { CN_NUMERAL, valueOf } from './repeat-numerals.ts';

/**
 * An identifier as it may be quoted: its number (项目编号2024-032号, 第32号 and 〔2024〕32号 are all 32), the
 * year beside it where one is written, and the whole code where it has letters (hzcg2024156); 0 and '' when
 * absent. Two quotes agree when their whole codes do, or, where one has none, their numbers and any years both
 * give.
 */
export interface Identifier {
  n: number;
  year: number;
  full: string;
}

/**
 * Numbered names, the kind being the noun: a phase (二期), batch (第三批), quarter (二季度), workshop (2#车间), line
 * (1号线, 一号生产线; not 一线, the shop floor), warehouse, berth, tender section (第3标段, 三标段) and parcel
 * (ZL-2024-07地块, 07地块). The first group a match sets is the number.
 */
const NUMBERED: readonly [string, RegExp][] = [
  ['期', new RegExp(`(?<![${CN_NUMERAL.slice(1, -1)}0-9])([一二三四五六七八九1-9])期`, 'gu')],
  ['批', new RegExp(`第([0-9]{1,2}|${CN_NUMERAL}{1,3})批`, 'gu')],
  ['季度', /(?:第)?([一二三四1-4])季度|(?<![a-z])q([1-4])(?![0-9a-z])/gu],
  ['车间', new RegExp(`([0-9]{1,2}|${CN_NUMERAL}{1,3})(?:号|#)?车间`, 'gu')],
  [
    '线',
    new RegExp(
      `([0-9]{1,2}|${CN_NUMERAL}{1,3})(?:号|#)(?:生产)?线|(?<![0-9])([0-9]{1,2})(?:生产)?线|(${CN_NUMERAL}{1,3})生产线`,
      'gu',
    ),
  ],
  ['仓库', new RegExp(`([0-9]{1,2}|${CN_NUMERAL}{1,3})(?:号|#)(?:仓库|仓|库房|库)|([0-9]{1,2})仓库`, 'gu')],
  ['泊位', new RegExp(`([0-9]{1,2}|${CN_NUMERAL}{1,3})(?:号|#)?泊位`, 'gu')],
  [
    '标段',
    new RegExp(`第?([0-9]{1,2}|${CN_NUMERAL}{1,3})标段|第([0-9]{1,2}|${CN_NUMERAL}{1,3})标(?!准)`, 'gu'),
  ],
  ['地块', /(?<![0-9])([0-9]{1,3})号?地块/gu],
];

/** A name that follows a number and makes it no document number (第3号楼 is a building, 8月12号 a date). */
const NOT_DOCUMENT = '(?!楼|栋|幢|车间|线|仓|库|泊位|地块|门|桥|机|床|炉|罐|井|口|院|窗口)';
/**
 * Document and serial numbers: 〔2025〕12号 and (2025)12号 (a year and a number), 2024-032号, 第0012345号, a number
 * of three digits or more before 号 (00871号), 15号文件, and whatever follows 编号, 文号, 证号, 合同(号), 户号, 号码,
 * 申请号, 受理号, 代码, 批号, 备案号.
 */
const DOCUMENT = new RegExp(
  `[〔(\\[【](20[0-9]{2})[〕)\\]】]第?([0-9]{1,6})号` +
    `|(?<![0-9a-z])(20[0-9]{2})[-—]([0-9]{1,5})号` +
    `|第([0-9]{1,8}|${CN_NUMERAL}{1,4})号${NOT_DOCUMENT}` +
    `|(?<![0-9a-z月日第\\-])([0-9]{3,8})号${NOT_DOCUMENT}` +
    `|(?<![0-9a-z月日第\\-])([0-9]{1,4})号(?=文)` +
    `|(?:编号|文号|证号|合同号?|户号|号码|申请号|受理号|代码|批号|备案号)[:：为是]?([a-z]{0,8}[-/]?[0-9][0-9a-z\\-/]*)`,
  'gu',
);
/**
 * What a document number is of, told by the words just before it (the nearest wins): the 合同号 and the 发票号码
 * of one matter are two identifiers, not two matters. 电话 and 手机 numbers are no identifiers.
 */
const DOCUMENT_KINDS: readonly [string, RegExp][] = [
  ['合同', /合同/gu],
  ['发票', /票/gu],
  ['申请', /申请|受理/gu],
  ['户', /户号/gu],
  ['批号', /批号|批次/gu],
  ['标', /标/gu],
  ['证', /证/gu],
  ['项目', /项目|备案/gu],
  ['', /电话|手机|联系/gu],
];
const DOCUMENT_LOOKBACK = 8;

function documentKind(before: string): string | null {
  let kind = '号';
  let at = -1;
  for (const [name, marker] of DOCUMENT_KINDS) {
    for (const m of before.matchAll(marker)) {
      if (m.index >= at) {
        at = m.index;
        kind = name;
      }
    }
  }
  return kind === '' ? null : kind;
}

/**
 * The identifiers a text names, by kind: numbered names (NUMBERED) and document numbers (DOCUMENT, their kind
 * from the words before them). One template told of another project, parcel, contract, loan, permit, lot,
 * quarter or workshop differs in nothing else, and no closed list holds its number (issue 7).
 */
export function identifiersOf(normalised: string): Map<string, Identifier[]> {
  const found = new Map<string, Identifier[]>();
  const add = (kind: string, id: Identifier) => {
    if (!(id.n > 0 || id.full)) return;
    const list = found.get(kind) ?? [];
    if (!list.some((x) => x.n === id.n && x.year === id.year && x.full === id.full)) list.push(id);
    found.set(kind, list);
  };
  for (const [kind, pattern] of NUMBERED) {
    for (const m of normalised.matchAll(pattern)) {
      add(kind, { n: valueOf(m.slice(1).find((g) => g !== undefined)!), year: 0, full: '' });
    }
  }
  for (const m of normalised.matchAll(DOCUMENT)) {
    const kind = documentKind(normalised.slice(Math.max(0, m.index - DOCUMENT_LOOKBACK), m.index + 3));
    if (kind === null) continue;
    const [, year1, n1, year2, n2, n3, n4, n5, code] = m;
    if (code === undefined) {
      const year = year1 ?? year2;
      const n = n1 ?? n2 ?? n3 ?? n4 ?? n5;
      add(kind, { n: valueOf(n), year: year ? Number(year) : 0, full: '' });
      continue;
    }
    const digits = code.match(/[0-9]+/g)!;
    const dated = /^(20[0-9]{2})[-/]([0-9]+)$/.exec(code);
    add(kind, {
      n: Number(digits[digits.length - 1]),
      year: dated ? Number(dated[1]) : 0,
      full: /[a-z]/.test(code) ? code.replace(/[-/]/g, '') : '',
    });
  }
  return found;
}

function sameIdentifier(x: Identifier, y: Identifier): boolean {
  if (x.full && y.full) return x.full === y.full;
  return x.n === y.n && (!x.year || !y.year || x.year === y.year);
}

/**
 * Both texts name identifiers of one kind and none agree: another project, parcel, contract or workshop in the
 * same template, whatever else the texts share. A text that names none of a kind (a chase: "那个许可还没批") is
 * never judged by it.
 */
export function identifiersDiffer(
  a: ReadonlyMap<string, Identifier[]>,
  b: ReadonlyMap<string, Identifier[]>,
): boolean {
  for (const [kind, ours] of a) {
    const theirs = b.get(kind);
    if (theirs && !ours.some((x) => theirs.some((y) => sameIdentifier(x, y)))) return true;
  }
  return false;
}

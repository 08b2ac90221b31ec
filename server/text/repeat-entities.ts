// The particulars a duplicate check compares beside the words (server/text/repeat-features.ts): amounts and
// counts, identifiers (number plates, permit and project numbers, patent numbers), dates and years, and
// numbered places (3号楼, A栋, 二号线). Two messages about one problem agree on the particulars they both name;
// two messages about the same kind of problem that name different ones (the 2023 subsidy against the 2024 one,
// building 2 against building 6, one lorry against another) are two problems. Also the wording that says a
// message chases an earlier one (催办: "上周反映过…还没…") or tells of another instance ("这次是…", "另一辆…").
// Identifiers by kind (document numbers, 二期, 2#车间) are read in repeat-identifiers.ts. Pure; works on
// normalised text (segment.ts normaliseText).
import { identifiersDiffer, identifiersOf, type Identifier } from './repeat-identifiers.ts';
import { chineseValue, CN_NUMERAL, valueOf } from './repeat-numerals.ts';

/** Particulars by kind; a kind both texts name and never agree on is a conflict. */
export interface Particulars {
  /** Amounts, counts and durations of at least 10, as numbers (46万 = 四十六万 = 460000). */
  numbers: Set<number>;
  /** The amounts told roughly ("三百多万", "十来个"), as [from, to): what an exact figure may agree with. */
  rough: NumberRange[];
  /** Identifiers of at least five letters and digits, upper case ignored, separators dropped. */
  codes: Set<string>;
  /** Calendar dates as month*100+day, and years. */
  dates: Set<number>;
  /**
   * Numbered buildings, lines, lots and batches ("3号楼" → "3楼", "a栋", "2线", "2批"), the side of the site
   * ("东门", "东侧" → "东向") and a park's grid roads ("经三路" → "经3路").
   */
  places: Set<string>;
  /** Months named without a day ("3月份", "去年12月"), compared only where no full date is. */
  months: Set<number>;
  /** A project's yearly capacity, its name in letters and reports ("年产5万吨" → "50000吨"). */
  projects: Set<string>;
  /** Identifiers and numbered names by kind (identifiersOf). */
  identifiers: Map<string, Identifier[]>;
}

/**
 * A numeral, then "余/多/来/几" (about), then 万/亿: "300多万" and "三百余万" are both three million; one Chinese
 * digit counts only before 万/亿 ("多出八万来" is 8万; a lone 三 is no amount). After 万/亿, "多" again ("三万多") or
 * the spoken next digit ("4万6", "四十八万六" is 486,000) ending the number ("46万一直没到账" is 46万).
 */
const NUMBER = new RegExp(
  `([0-9]+(?:\\.[0-9]+)?|${CN_NUMERAL}{2,}|[一二两三四五六七八九]?十|[一二两三四五六七八九](?=[余多来]?[万亿]))([余多来几]?)([万亿]?)` +
    `([余多来几]|[1-9一二三四五六七八九](?=$|[^\\p{Script=Han}0-9.]|[的了块元啊吧呢左]))?`,
  'gu',
);

/** [from, to): an amount told roughly covers its value up to the next step of its last digit. */
export type NumberRange = readonly [number, number];

const ABOUT = /^[余多来几]$/u;

/**
 * A span of time after a number ("十几天", "二十天了", "两个月", "三年"): how long something has lasted depends on
 * when the message was written, so a report and its chase name different ones ("停滞十天" against "停了快二十天了").
 * A month or a time of day ("10月份", "十点") is no span.
 */
const SPAN = /^[余多来几]?(天|日|周|个?星期|个?礼拜|个多?月|年|小时|分钟)/u;

/** The place of a numeral's last non-zero digit (300 → 100, 80 → 10, 1100 → 100, 4.5 → none). */
function lastPlace(n: number): number {
  if (!Number.isInteger(n) || n === 0) return 0;
  let place = 1;
  while (n % (place * 10) === 0) place *= 10;
  return place;
}

/**
 * The numbers of at least 10 a text names (amounts and counts; not spans of time), and which of them it tells
 * roughly with their range: a WeChat line rounds what its letter counts ("三百多万" for 320万, "十来个" for 12名,
 * "两百多万" for 210万), and read as bare values those made the pair's numbers differ.
 */
function amountsIn(normalised: string): { numbers: Set<number>; rough: NumberRange[] } {
  const numbers = new Set<number>();
  const rough: NumberRange[] = [];
  for (const m of normalised.matchAll(NUMBER)) {
    const [whole, body, about, unit, after = ''] = m;
    if (!unit && SPAN.test(normalised.slice(m.index + whole.length))) continue;
    // The hotline's number (【12345工单】, 打12345) is no amount of the complaint.
    if (body === HOTLINE && !unit) continue;
    const scale = unit === '亿' ? 1e8 : unit === '万' ? 1e4 : 1;
    const roughly = about !== '' || (unit !== '' && ABOUT.test(after));
    const spoken = unit && after && !roughly ? valueOf(after) * (scale / 10) : 0;
    // 2.3亿 is 230,000,000, not 229,999,999.99999997.
    const value = scale > 1 ? Math.round(valueOf(body) * scale + spoken) : valueOf(body);
    if (!(value >= 10 && Number.isFinite(value))) continue;
    numbers.add(value);
    const step = roughly ? lastPlace(valueOf(body)) * scale : 0;
    if (step > 0) rough.push([value, value + step]);
  }
  return { numbers, rough };
}

/**
 * Numbers of at least 10 (amounts and counts; not spans of time): "46万", "四十六万", "300多万", "三百余万" agree.
 */
export function numbersIn(normalised: string): Set<number> {
  return amountsIn(normalised).numbers;
}

/** Letters and digits mixed, at least five long once separators are dropped (浙E·5T876, ZL2021108765432). */
const CODE = /[a-z0-9][a-z0-9·\-./]{3,}[a-z0-9]/g;
const DATE = new RegExp(`([0-9]{1,2}|${CN_NUMERAL}{1,3})月([0-9]{1,2}|${CN_NUMERAL}{1,3})[日号]`, 'gu');
const YEAR = /(20[0-9]{2})年/g;
const HOTLINE = '12345';
/** A month without a day after it; "两月有余" and "三个月" are spans, "十二月" a month. */
const MONTH = new RegExp(
  `(?<![0-9零〇一二两三四五六七八九十])([0-9]{1,2}|[一二三四五六七八九十]{1,3})月(?!([0-9]{1,2}|${CN_NUMERAL}{1,3})[日号])`,
  'gu',
);
/** The side of the site: 东门, 西侧, 北边, 南面 (西门子 is a company). */
const SIDE = /([东南西北])大?(门|侧|边|面)(?!子)/gu;
/** A park's grid roads: 经三路, 纬5路. */
const GRID_ROAD = new RegExp(`([经纬])([0-9]{1,2}|${CN_NUMERAL}{1,3})路`, 'gu');
const CAPACITY = new RegExp(
  `年产(?:能)?约?([0-9]+(?:\\.[0-9]+)?|${CN_NUMERAL}+)(万|千)?(吨|台|套|件|只|辆|平方米|米|片|张|条|个|双|箱|千瓦|兆瓦|头)`,
  'gu',
);
/** "6号宿舍楼" and "6号楼的员工宿舍" are one building: a numbered building of any use is its number and 楼. */
const PLACE = new RegExp(
  `([0-9]{1,3}|[a-z]|${CN_NUMERAL}{1,3})(?:号|#)?((?:宿舍|办公|综合|生产|研发|行政)?楼|栋|幢|车间|线|仓库|厂房|宿舍|批|期|区)`,
  'gu',
);

export function particularsOf(normalised: string): Particulars {
  const codes = new Set<string>();
  for (const m of normalised.matchAll(CODE)) {
    const code = m[0].replace(/[·\-./]/g, '');
    // A bare number is an amount, not an identifier; a code mixes letters and digits or is long.
    if (code.length >= 5 && /[0-9]/.test(code) && (/[a-z]/.test(code) || code.length >= 9)) codes.add(code);
  }
  // A plate written with the province character (浙e5t876) and without (e5t876) is the same lorry; the start
  // of a longer code after a character (关于rd2025006) is no plate.
  for (const m of normalised.matchAll(/[\p{Script=Han}]([a-z][·-]?[0-9a-z]{5})(?![0-9a-z·-])/gu)) {
    codes.add(m[1].replace(/[·-]/g, ''));
  }
  const dates = new Set<number>();
  for (const m of normalised.matchAll(DATE)) {
    const month = valueOf(m[1]);
    const day = valueOf(m[2]);
    if (month >= 1 && month <= 12 && day >= 1 && day <= 31) dates.add(month * 100 + day);
  }
  for (const m of normalised.matchAll(YEAR)) dates.add(Number(m[1]));
  const places = new Set<string>();
  for (const m of normalised.matchAll(PLACE)) {
    const [, n, noun] = m;
    const id = /[0-9]/.test(n) ? String(Number(n)) : /[a-z]/.test(n) ? n : String(chineseValue(n));
    places.add(`${id}${noun.endsWith('楼') ? '楼' : noun}`);
  }
  for (const m of normalised.matchAll(SIDE)) places.add(`${m[1]}向`);
  for (const m of normalised.matchAll(GRID_ROAD)) places.add(`${m[1]}${valueOf(m[2])}路`);
  const months = new Set<number>();
  for (const m of normalised.matchAll(MONTH)) {
    const month = valueOf(m[1]);
    if (month >= 1 && month <= 12) months.add(month);
  }
  const projects = new Set<string>();
  for (const m of normalised.matchAll(CAPACITY)) {
    const scale = m[2] === '万' ? 1e4 : m[2] === '千' ? 1e3 : 1;
    projects.add(`${Math.round(valueOf(m[1]) * scale)}${m[3]}`);
  }
  return {
    ...amountsIn(normalised),
    codes,
    dates,
    places,
    months,
    projects,
    identifiers: identifiersOf(normalised),
  };
}

function overlap<T>(a: Set<T>, b: Set<T>): 'none' | 'agree' | 'conflict' {
  if (a.size === 0 || b.size === 0) return 'none';
  for (const x of a) if (b.has(x)) return 'agree';
  return 'conflict';
}

export interface ParticularsMatch {
  /** Some particular both texts name agrees (an amount, a plate, a date, a building). */
  agree: boolean;
  /** Identifiers, dates or numbered places both texts name, and none agree: two different things. */
  conflict: boolean;
  /** Both name amounts or counts and share none (weaker: one text rounds, the other counts days). */
  numbersDiffer: boolean;
  /** Both name identifiers of one kind and none agree (identifiersDiffer), whatever else agrees. */
  identifiersDiffer: boolean;
}

/** overlap() of the amounts, where an exact figure inside the other text's rough one (or two rough ones that
 * meet) agree too. */
function roughOverlap(a: Particulars, b: Particulars): 'none' | 'agree' | 'conflict' {
  const exact = overlap(a.numbers, b.numbers);
  if (exact !== 'conflict') return exact;
  const within = (x: Particulars, y: Particulars) =>
    x.rough.some(([from, to]) => [...y.numbers].some((n) => n >= from && n < to));
  return within(a, b) || within(b, a) ? 'agree' : 'conflict';
}

/**
 * The identifiers of the new message `a` against the earlier `b`: one `a` names that `b` does not is another
 * thing, even when `a` names `b`'s too ("新买的车浙E·C7M09又被拒了，浙E·A3K21那辆已经办下来了").
 */
function codesMatch(a: Set<string>, b: Set<string>): 'none' | 'agree' | 'conflict' {
  if (a.size === 0 || b.size === 0) return 'none';
  for (const x of a) if (!b.has(x)) return 'conflict';
  return 'agree';
}

/** `a` is the new message, `b` the earlier issue. */
export function matchParticulars(a: Particulars, b: Particulars): ParticularsMatch {
  const dates = overlap(a.dates, b.dates);
  const kinds = [
    codesMatch(a.codes, b.codes),
    dates,
    overlap(a.places, b.places),
    dates === 'none' ? overlap(a.months, b.months) : 'none',
    overlap(a.projects, b.projects),
  ];
  const numbers = roughOverlap(a, b);
  return {
    agree: numbers === 'agree' || kinds.includes('agree'),
    conflict: kinds.includes('conflict') && !kinds.includes('agree'),
    numbersDiffer: numbers === 'conflict',
    identifiersDiffer: identifiersDiffer(a.identifiers, b.identifiers),
  };
}

/**
 * The message chases an earlier report of its own ("五天前打12345反映的…还没人来", "再催一下", "之前写过函的",
 * "第二次反映了", "批了没有", "有进展吗", "报了三天了").
 */
const CHASES =
  /再次反映|再反映|再催|催一下|再问|又过了|还是没|反映过|说过的|报过|问过|提过|催过|留过言|打过电话|写过函|发的函|写了函|(天|周|星期|礼拜)前(就)?(反映|说|报|问|提|打|来|发|写|在)|(上次|上回)(说|反映|问|提|协调|打)|(前天|昨天|上周|上礼拜|之前|前几天|前些天|上个月)(就|已经|也)?(说|反映|报|问|提|打|写|投诉|来电)|第[二两三四五]次(反映|来电|打电话|催|问|投诉)|(批|办|修|做|查|处理|回复|落实|安排)了没有|有进展吗|有没有进展|进展如何|(报|反映|提|问)了[一两二三四五六七八九十几0-9]+(天|周|个月)/u;
/**
 * A chase told as the state of a known matter: "停电那事…到现在一个说法都没有", "滑坡的事十天了还没人来",
 * "申请三天了还没来勘查", "进度怎么样了", "站台那个事十来天了，一点动静都没有", "阻工的问题还没有解决"; or a
 * short message that opens with a known thing's state going on ("路灯还没修", "河水还是黑的", "打桩还在继续"),
 * where a first report tells what happened first ("园区昨晚突然停电…到现在还没恢复").
 */
const CHASE_STATE =
  /(那事|那件事|那个事|的事情?|那次|的问题|那个问题)[^。！？?!]{0,16}(还没|还是没|没人|到现在|没有回音|没回音|没有?消息|没有?动静|动静都没有|没下文|怎么样了|什么时候)|(天|周|星期|礼拜|个月)了?(都|也)?还没(人|有|来|批|修|好|改|解决|消息|动静|回音|结果)|到现在(都|也|还)?(没有?(人|回音|消息|下文|动静|说法|答复)|一个说法)|问(一下|问)?进度|怎么样了|有没有(进展|消息|下文)|^[^，。！？,!?]{1,8}?还(没|是|在)/u;
/** The message tells of another instance of a kind of problem ("这次是…", "另一辆车", "又有一个员工"). */
const ANOTHER =
  /另一|另外|这次是|这次说|这次又|不是一回事|不是一个事|又有一个|又一个|新的一批|第二批|二期|又是/u;

/**
 * The message asks how to start something ("人才认定怎么申请", "第一次申请要哪些材料", "换证要准备什么"): an
 * enquiry about a new case. "怎么办" is no such question (a complaint's cry for help).
 */
const ASKS_HOW =
  /怎么(申请|申领|申报|办理|报|准备)|如何(申请|申报|办理)|(需要|要)(准备)?(哪些|什么)材料|要准备什么|材料怎么准备/u;
/** Any question at all. */
const ASKS = /怎么|如何|哪些|什么|吗|[?？]/u;

export interface MessageCues {
  chases: boolean;
  another: boolean;
  /** Asks how to start something (ASKS_HOW). */
  asksHow: boolean;
  /** Asks anything. */
  asks: boolean;
}

export function cuesOf(normalised: string): MessageCues {
  return {
    chases: CHASES.test(normalised) || CHASE_STATE.test(normalised),
    another: ANOTHER.test(normalised),
    asksHow: ASKS_HOW.test(normalised),
    asks: ASKS.test(normalised),
  };
}

// Demo issue wording: the enterprises' complaints per category (DESIGN §9, problem.ts), the messages
// only a dispatcher can route (triage-texts.seed.ts), and what staff write while handling them (notes,
// replies, reasons), so the seeded workbench reads like a real one.
// The three topics of the demo's class problems (停电, 出口退税, 货车限行: class-issues.seed.ts) are not among
// the complaints: copies of one would form a candidate of their own and keep the classes' own varied
// complaints out of it.
import { CATEGORY_IDS, type CategoryId, type Urgency } from '../../shared/states.ts';
import { categoryDef } from '../../config/categories.ts';
import { issueText } from '../text/issue-text.ts';
import { normaliseText } from '../text/segment.ts';
import { findCues, ruleUrgency } from '../text/urgency-rules.ts';
import type { Rng } from './prng.ts';
import type { Problem } from './problem.ts';
import { MARKET_PROBLEMS } from './problems-market.seed.ts';
import { OPERATIONS_PROBLEMS } from './problems-operations.seed.ts';
import { REGULATION_PROBLEMS } from './problems-regulation.seed.ts';
import { SUPPORT_PROBLEMS } from './problems-support.seed.ts';
import { CROSS_DEPARTMENT, OUT_OF_SCOPE, type TriageText } from './triage-texts.seed.ts';

export type { Problem } from './problem.ts';

const ALL = { ...SUPPORT_PROBLEMS, ...OPERATIONS_PROBLEMS, ...REGULATION_PROBLEMS, ...MARKET_PROBLEMS };
export const PROBLEMS: Readonly<Record<CategoryId, readonly Problem[]>> = Object.fromEntries(
  CATEGORY_IDS.map((id) => [id, ALL[id] ?? []]),
) as Record<CategoryId, readonly Problem[]>;

/** Each complaint's own answer by title (a new-user trial read 款项已拨付 as the answer to 发票额度不够用). */
const REPLY_FOR = new Map<string, string>([
  ...Object.values(PROBLEMS).flatMap((list) => list.map((p) => [p.title, p.reply] as const)),
  ...[...CROSS_DEPARTMENT, ...OUT_OF_SCOPE].flatMap((t) => (t.reply ? [[t.title, t.reply] as const] : [])),
]);

/** The problem's words with its `{a-b}` numbers drawn. */
export const problemWords = (rng: Rng, p: Problem): string =>
  p.text.replace(/\{(\d+)-(\d+)\}/g, (_, a: string, b: string) => String(rng.int(Number(a), Number(b))));

/** A complaint of the category, drawn at random (the benchmark's generated issues). */
export function problemText(rng: Rng, category: CategoryId): { title: string; content: string } {
  const problem = rng.pick(PROBLEMS[category]);
  return { title: problem.title, content: problemWords(rng, problem) };
}

/**
 * Hands out the category's complaints in shuffled rounds, so a complaint comes back only after all the others (a
 * real city's issue list, not a few titles over and over), and next to different ones each round.
 */
export class ProblemDeck {
  private readonly decks = new Map<CategoryId, number[]>();

  constructor(private readonly rng: Rng) {}

  next(category: CategoryId): Problem {
    const list = PROBLEMS[category];
    let deck = this.decks.get(category);
    if (!deck?.length) this.decks.set(category, (deck = this.shuffled(list.length)));
    return list[deck.pop()!];
  }

  private shuffled(n: number): number[] {
    const order = Array.from({ length: n }, (_, k) => k);
    for (let k = n - 1; k > 0; k--) {
      const j = this.rng.int(0, k);
      [order[k], order[j]] = [order[j], order[k]];
    }
    return order;
  }
}

/** The same for the messages a dispatcher has to route, and for those out of the hub's remit. */
export class TriageDeck {
  private next = { cross: 0, outside: 0, reopened: 0 };
  private readonly outside = OUT_OF_SCOPE.filter((t) => !t.reopen);
  private readonly reopened = OUT_OF_SCOPE.filter((t) => t.reopen);

  constructor(private readonly offset: number) {}

  crossDepartment(): Required<TriageText> {
    return CROSS_DEPARTMENT[(this.offset + this.next.cross++) % CROSS_DEPARTMENT.length];
  }

  outOfScope(reopened: boolean) {
    const list = reopened ? this.reopened : this.outside;
    const k = reopened ? this.next.reopened++ : this.next.outside++;
    return list[(this.offset + k) % list.length];
  }
}

/**
 * The urgency a text states by the urgency rules (DESIGN §5: 停机 is 特急), else `otherwise`. Staff give the seeded
 * issues both category and urgency, so they are people's classifications and train the model: a stoppage
 * labelled 一般 at random taught it that the demo's own 停电…停机 complaint was 一般.
 */
export function statedUrgency(text: { title?: string; content: string }, otherwise: Urgency): Urgency {
  const stated = ruleUrgency(findCues(normaliseText(issueText(text))));
  return stated === 'normal' ? otherwise : stated;
}

/** A message too vague to route (the benchmark's): one of the desk's cross-department messages. */
export function vagueText(category: CategoryId): { title: string; content: string } {
  const { title, content } = CROSS_DEPARTMENT[CATEGORY_IDS.indexOf(category) % CROSS_DEPARTMENT.length];
  return { title, content };
}

const NOTE_OPENINGS = [
  '已电话联系企业{who}，了解具体情况。',
  '已与企业{who}电话沟通，核实诉求内容。',
  '经办人已赴企业现场走访，查看实际情况。',
  '已调阅企业前期办理材料，梳理来龙去脉。',
  '已召集相关科室研究办理方案。',
  '已与相关部门沟通，正在协调推进。',
  '已约企业{who}来单位面谈，当面听取意见。',
];
const NOTE_DETAILS = [
  '',
  '',
  '已形成初步处理意见，报单位负责人审定。',
  '已建立工作台账，明确专人跟踪。',
  '企业对目前的办理进度表示理解。',
  '预计{n}个工作日内给出书面答复。',
  '企业已补充提交相关证明材料，正在审核。',
];
const INTERNAL_NOTES = [
  '内部：需分管领导签批。',
  '内部：已向上级部门请示口径。',
  '内部：涉及历史遗留问题，需查档。',
  '内部：该企业前期有类似诉求，注意答复口径一致。',
  '内部：需与协办单位会签后答复。',
  '内部：已电话提醒经办科室注意办理时限。',
];
/** Replies for an issue of no seeded complaint (a class member answered on its own). */
const REPLIES = [
  '经核实，已按相关规定办理完毕，请企业留意后续通知。',
  '经协调，已安排专人跟进办理，相关手续已于近日办结。',
  '已按政策规定给予答复，并向企业说明了后续办理路径。',
  '经会同相关部门现场办公，已明确解决方案并落实到位。',
];

/**
 * A public progress note, naming the person at the enterprise the unit spoke to when there is one; a note that
 * says the unit spoke to them (the openings naming {who}) is marked as the contact 首次联系时限 asks for, so the
 * issue page does not say 尚未记录联系 beside a note that says it was made.
 */
export function progressNote(rng: Rng, contactName?: string | null): { text: string; contacted: boolean } {
  const who = contactName ? `联系人${contactName}` : '负责人';
  const opening = rng.pick(NOTE_OPENINGS);
  const text = opening.replace('{who}', who) + rng.pick(NOTE_DETAILS).replace('{n}', String(rng.int(3, 10)));
  return { text, contacted: opening.includes('{who}') };
}
export const internalNoteText = (rng: Rng) => rng.pick(INTERNAL_NOTES);
/** The reply to an issue: its complaint's own answer when it has one (the draw is made either way). */
export function replyText(rng: Rng, title: string): string {
  const any = rng.pick(REPLIES);
  return REPLY_FOR.get(title) ?? any;
}

/** Why an out-of-scope message was not accepted, and why it was reopened (by its title). */
const OUT_OF_SCOPE_BY_TITLE = new Map(OUT_OF_SCOPE.map((t) => [t.title, t]));
export const rejectReason = (title: string) =>
  OUT_OF_SCOPE_BY_TITLE.get(title)?.reject ?? '该诉求不属于涉企问题受理范围，已告知企业咨询渠道。';
export const reopenReason = (title: string) =>
  OUT_OF_SCOPE_BY_TITLE.get(title)?.reopen ?? '企业补充说明后确属涉企问题。';

/** What staff write at the other steps: a few wordings each, drawn per issue. */
export const STAFF_WORDS = {
  sendBack: [
    '答复未说明具体办理结果，请补充。',
    '答复未写明办理时间节点，请补充完善。',
    '答复内容与企业诉求不对应，请重新核实后答复。',
  ],
  badComment: [
    '问题没有真正解决。',
    '答复都是套话，实际情况没有任何变化。',
    '说是办好了，到现在还是老样子。',
    '经办人电话打了一次就没下文了。',
  ],
  badReasonable: [
    '经核实，企业诉求未完全解决，同意重办。',
    '回访核实，承诺事项尚未落实，差评理由成立。',
    '经核实，答复与实际办理情况不符，责成重新办理。',
  ],
  appealNote: [
    '申诉：企业诉求超出法定职责范围，已依法答复。',
    '申诉：已按规定办结，企业差评系对政策规定本身不满。',
  ],
  appealUpheld: ['经核实，差评理由不成立，申诉成立。', '经调阅办理记录，已依法依规办结，申诉成立。'],
  unreached: ['电话无人接听。', '电话占线，稍后再联系。', '对方正在开会，约定稍后回电。'],
  returnReason: [
    ['该事项不属于本单位职责范围。', '本单位“三定”方案'],
    ['该事项属于属地管理，应由所在乡镇（街道）办理。', '属地管理责任清单'],
    ['该事项涉及的审批权限已下放至区县。', '省级权力事项下放目录'],
  ],
  secondReturn: ['同样不属于本单位职责。', '本单位无相应执法权限，请重新明确承办单位。'],
  consultInput: [
    '建议由本单位牵头，相关部门配合。',
    '本单位可负责政策解释部分，具体落实建议由属地牵头。',
    '同意牵头办理，需协办单位在五个工作日内提供相关数据。',
  ],
  suspend: [
    '等待企业补充提交相关材料。',
    '企业需委托第三方出具检测报告，报告出具前暂停办理。',
    '该事项涉及诉讼，等待法院判决结果。',
  ],
  extension: [
    '需协调第三方机构出具评估意见。',
    '涉及上级部门审批，需等待批复。',
    '需与协办单位联合现场踏勘，时间需延后。',
  ],
} as const;

/** The reason a dispatcher records when giving a message its lead department's category. */
export const triageReason = (category: CategoryId) =>
  `经研判，属${categoryDef(category).name}类问题，转主管部门牵头办理。`;

// Demo issue wording: a few realistic enterprise complaints per category (DESIGN §9), and the replies and
// notes staff write, so the seeded workbench reads like a real one.
// The three topics of the demo's class problems (停电, 出口退税, 货车限行: class-issues.seed.ts) are not among
// these: nine identical copies of one would form a candidate of their own and keep the classes' own varied
// complaints out of it.
import { categoryDef } from '../../config/categories.ts';
import type { CategoryId, Urgency } from '../../shared/states.ts';
import { issueText } from '../text/issue-text.ts';
import { normaliseText } from '../text/segment.ts';
import { findCues, ruleUrgency } from '../text/urgency-rules.ts';
import type { Rng } from './prng.ts';

const PROBLEMS: Readonly<Record<CategoryId, ReadonlyArray<readonly [string, string]>>> = {
  policy: [
    ['技改补贴未兑现', '去年申报的技术改造补贴已公示，但至今未拨付，企业资金周转困难。'],
    ['惠企政策申报条件不清', '对“专精特新”奖励的申报条件理解不一，窗口答复前后不一致。'],
    ['稳岗返还未到账', '今年的失业保险稳岗返还显示已审核通过，但一直没有到账。'],
  ],
  land: [
    ['新建厂房竣工验收迟缓', '新厂房已完工两个月，联合验收迟迟未安排，影响设备进场投产。'],
    ['不动产权证办理受阻', '厂房历史遗留问题导致不动产权证无法办理，影响银行抵押贷款。'],
    ['工业用地指标不足', '扩产项目用地指标迟迟未落实，项目无法开工。'],
  ],
  utilities: [
    ['燃气停供未通知', '园区天然气管道检修没有提前通知，锅炉停机，整条生产线停产。'],
    ['用电增容申请未批复', '新增生产线需要增容至2000千伏安，申请提交一个月无进展。'],
    ['污水管网未接通', '园区污水管网尚未接通，企业只能外运处理，成本很高。'],
  ],
  finance: [
    ['贷款提款审批慢', '已获批的流动资金贷款迟迟不能提款，影响原材料采购。'],
    ['担保费率过高', '政府性融资担保费率高于周边地区，希望能够降低。'],
    ['应收账款融资难', '对国有企业的应收账款无法办理质押融资。'],
  ],
  talent: [
    ['技术工人招聘困难', '数控技工缺口三十余人，希望对接职业院校定向培养。'],
    ['人才公寓申请无回复', '引进的两名博士申请人才公寓，两个月未收到答复。'],
    ['员工子女入学难', '外地骨干员工子女入学名额不足，影响人才稳定。'],
  ],
  approval: [
    ['环评审批反复补正', '项目环评材料已补正三次，每次提出新的要求。'],
    ['一件事多头跑', '办理食品生产许可变更需在三个窗口之间往返。'],
    ['施工许可办理时间长', '施工许可申请超过承诺时限仍未办结。'],
  ],
  enforcement: [
    ['同一事项重复检查', '本季度消防、安监就同一事项检查四次，影响正常生产。'],
    ['处罚标准过高', '因标识不规范被处以高额罚款，企业认为过罚不当。'],
    ['检查通知过于临时', '执法检查经常临时通知，企业难以安排人员配合。'],
  ],
  legal: [
    ['政府项目工程款拖欠', '承建的市政项目工程款拖欠一年多，合计四百余万元。'],
    ['商标被恶意抢注', '企业主打产品商标被他人抢注，维权无门。'],
    ['合同纠纷调解', '与国有平台公司的合同纠纷希望得到调解。'],
  ],
  logistics: [
    ['园区停车难', '园区周边没有停车场，送货车辆只能沿路停放，经常被贴罚单。'],
    ['员工通勤公交不足', '园区没有公交线路，员工上下班十分不便。'],
    ['港口集装箱提箱难', '近期港口提箱排队时间过长，出口订单面临违约。'],
  ],
  innovation: [
    ['研发费用加计扣除争议', '研发费用加计扣除口径与税务部门理解不一致。'],
    ['校企合作对接', '希望对接高校共建研发中心，缺少对接渠道。'],
    ['科技项目验收延迟', '省级科技项目已结题半年，验收一直未安排。'],
  ],
  tax: [
    ['社保费缴费基数争议', '社保费缴费基数核定与企业实际工资不符，多缴部分申请退回无进展。'],
    ['涉企收费不合理', '园区物业收取的“配套费”缺少收费依据。'],
    ['发票额度不够用', '业务量增长后增值税发票额度不足，影响开票。'],
  ],
  market: [
    ['招投标设置本地门槛', '某政府采购项目要求本地注册，外地企业无法参与。'],
    ['市场准入审批受限', '新业态经营范围无法登记，企业无法开展业务。'],
    ['同业低价倾销', '同业企业涉嫌低于成本价倾销，扰乱市场秩序。'],
  ],
};

const NOTES = [
  '已电话联系企业负责人，了解具体情况。',
  '已赴企业现场走访，核实诉求内容。',
  '已召集相关科室研究办理方案。',
  '已与相关部门沟通协调，正在推进。',
];
const INTERNAL_NOTES = [
  '内部：需分管领导签批。',
  '内部：已向上级部门请示口径。',
  '内部：涉及历史遗留问题，需查档。',
];
const REPLIES = [
  '经核实，相关款项已于本周拨付到企业账户，请注意查收。',
  '经协调，已安排专人跟进办理，相关手续已于近日办结。',
  '已按政策规定给予答复，并向企业说明了后续办理路径。',
  '问题已解决，已与企业确认生产经营恢复正常。',
];

export function problemText(rng: Rng, category: CategoryId): { title: string; content: string } {
  const [title, content] = rng.pick(PROBLEMS[category]);
  return { title, content };
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

export const noteText = (rng: Rng) => rng.pick(NOTES);
export const internalNoteText = (rng: Rng) => rng.pick(INTERNAL_NOTES);
export const replyText = (rng: Rng) => rng.pick(REPLIES);

/** The title of a vague request: what the enterprise asked, as the owner reads it on the QR page. */
export const VAGUE_TITLE = '希望约时间面谈';

/**
 * A message too vague for the classifier to be sure of (one short keyword of the category), so intake leaves it
 * in `received` for a dispatcher, as happens with real notes. Worded for any channel (a meeting's note does not
 * say 来电).
 */
export function vagueText(category: CategoryId): { title: string; content: string } {
  const keyword = [...categoryDef(category).keywords].sort((a, b) => a.length - b.length)[0];
  return { title: VAGUE_TITLE, content: `企业负责人反映${keyword}方面的事情，希望约时间面谈。` };
}

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
/** Replies for an issue of no seeded problem (a vague one, a class member): they fit any problem. */
const REPLIES = [
  '经核实，已按相关规定办理完毕，请企业留意后续通知。',
  '经协调，已安排专人跟进办理，相关手续已于近日办结。',
  '已按政策规定给予答复，并向企业说明了后续办理路径。',
  '问题已解决，已与企业确认生产经营恢复正常。',
];

/** Each seeded problem's own answer (a new-user trial read 款项已拨付 as the answer to 发票额度不够用). */
const REPLY_FOR: Readonly<Record<string, string>> = {
  技改补贴未兑现: '经核实，技改补贴资金已于本周拨付至企业账户，请注意查收。',
  惠企政策申报条件不清: '已统一申报口径并书面告知企业，窗口已按同一标准受理。',
  稳岗返还未到账: '经查系银行账户信息有误，已更正并重新发放，资金已到账。',
  新建厂房竣工验收迟缓: '已组织联合验收并现场通过，验收意见书已送达企业。',
  不动产权证办理受阻: '已按历史遗留问题处置办法完善手续，不动产权证已办结。',
  工业用地指标不足: '已在年度计划中统筹安排用地指标，项目用地已报批。',
  燃气停供未通知: '已约谈燃气公司，今后计划检修须提前三天书面通知园区企业。',
  用电增容申请未批复: '供电公司已完成方案审批，增容工程将于本月底前送电。',
  污水管网未接通: '园区污水管网接通工程已完工，企业已接入管网。',
  贷款提款审批慢: '经协调银行，贷款已完成提款，资金已到企业账户。',
  担保费率过高: '已将该企业担保费率下调至0.8%，并向企业说明了减费政策。',
  应收账款融资难: '已协调国有企业确权，企业已通过平台办理应收账款质押融资。',
  技术工人招聘困难: '已对接两所职业院校开设定向培养班，首批学员将于下月到岗。',
  人才公寓申请无回复: '两名博士的人才公寓申请已审核通过，已安排入住。',
  员工子女入学难: '已协调教育部门安排学位，骨干员工子女已办理入学。',
  环评审批反复补正: '已一次性告知全部补正要求，环评批复已于近日印发。',
  一件事多头跑: '已将许可变更纳入“一件事”集成办理，企业在一个窗口即可办结。',
  施工许可办理时间长: '施工许可证已核发，并对超时原因进行了通报整改。',
  同一事项重复检查: '已将相关检查纳入“综合查一次”，本季度不再重复检查。',
  处罚标准过高: '经复核，已依法适用减轻处罚，并向企业说明了依据。',
  检查通知过于临时: '执法部门已承诺检查前一个工作日通知企业，特殊情况除外。',
  政府项目工程款拖欠: '已督促项目单位制定还款计划，首期工程款已支付。',
  商标被恶意抢注: '已指导企业提出无效宣告申请，并提供维权法律援助。',
  合同纠纷调解: '已组织双方调解并达成协议，调解书已送达。',
  园区停车难: '已在园区东侧新增临时停车位80个，供送货车辆停放。',
  员工通勤公交不足: '已开通园区通勤公交专线，早晚高峰各发车三班。',
  港口集装箱提箱难: '已协调港口开设出口提箱绿色通道，排队时间明显缩短。',
  研发费用加计扣除争议: '已与税务部门统一研发费用归集口径，企业已享受加计扣除。',
  校企合作对接: '已对接省内高校研究院，双方已签订共建研发中心意向书。',
  科技项目验收延迟: '已安排专家组完成项目验收，验收结论已通知企业。',
  社保费缴费基数争议: '已按实际工资重新核定缴费基数，多缴部分已退回。',
  涉企收费不合理: '经核查该配套费无收费依据，已责令物业停止收取并退还。',
  发票额度不够用: '税务部门已根据企业经营情况调增发票额度，企业已可正常开票。',
  招投标设置本地门槛: '已责令采购人删除本地注册限制条款，项目重新发布公告。',
  市场准入审批受限: '已按新业态登记指引办理经营范围登记，企业已领取执照。',
  同业低价倾销: '市场监管部门已立案调查，将依法处理不正当竞争行为。',
};

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
/** The reply to an issue: its problem's own answer when it is a seeded problem (the draw is made either way). */
export function replyText(rng: Rng, title: string): string {
  const any = rng.pick(REPLIES);
  return Object.hasOwn(REPLY_FOR, title) ? REPLY_FOR[title]! : any;
}

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

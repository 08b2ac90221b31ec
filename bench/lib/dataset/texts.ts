// Wording for generated issues beyond the demo seed's (server/seed/issue-texts.seed.ts, reused for titles and
// the core of each complaint): extra context sentences that make contents differ, and progress notes, replies
// and reasons composed of 1–6 sentences so timeline notes run from about 20 to about 200 Chinese characters,
// as real handling notes do.
import type { CategoryId } from '../../../shared/states.ts';
import { problemText } from '../../../server/seed/issue-texts.seed.ts';
import type { Rng } from '../../../server/seed/prng.ts';

const CONTEXT = [
  '企业现有员工约{n}人，年产值约{m}亿元。',
  '此前已多次通过电话反映，至今没有明确答复。',
  '该问题已持续{n}天，对企业正常生产经营造成较大影响。',
  '企业负责人希望有关部门尽快安排专人对接。',
  '相关材料已按要求提交，如需补充可随时联系企业。',
  '同一园区内另有几家企业也遇到类似情况。',
  '企业表示如问题不能及时解决，将影响下一阶段的扩产计划。',
  '联系人为企业行政负责人，工作日均可联系。',
  '企业希望能给出明确的办理时限和经办人。',
  '据企业测算，由此造成的直接损失已超过{n}万元。',
];

const NOTE_OPENINGS = [
  '已电话联系企业负责人，详细了解诉求。',
  '经办人已赴企业现场走访，核实相关情况。',
  '已召集相关科室专题研究办理方案。',
  '已与相关部门沟通协调，正在积极推进。',
  '已调阅相关档案材料，梳理历史办理情况。',
  '已向分管领导汇报，明确了办理思路。',
];
const NOTE_DETAILS = [
  '企业反映的情况基本属实，涉及{n}个具体事项。',
  '初步判断需要{k}个部门协同办理。',
  '企业已补充提交相关证明材料，正在审核。',
  '已约定下周与企业再次面谈，进一步确认细节。',
  '相关政策口径已向上级部门请示，等待答复。',
  '已形成初步处理意见，报单位负责人审定。',
  '现场查看发现问题主要集中在审批衔接环节。',
  '已建立工作台账，明确专人跟踪，每周通报进展。',
  '企业对目前的办理进度表示理解。',
  '预计在{n}个工作日内可以给出书面答复。',
];
const INTERNAL_DETAILS = [
  '内部：需分管领导签批后方可办理。',
  '内部：涉及历史遗留问题，需查阅{y}年的档案。',
  '内部：已向市级主管部门请示口径，暂未回复。',
  '内部：该企业前期有类似诉求，注意前后答复口径一致。',
];
const REPLY_BODIES = [
  '经核实，相关款项已于近日拨付到企业账户，请注意查收。',
  '经协调，已安排专人跟进办理，相关手续已办结。',
  '已按政策规定给予答复，并向企业说明了后续办理路径。',
  '问题已解决，已与企业确认生产经营恢复正常。',
  '经会同相关部门现场办公，已明确解决方案并落实到位。',
  '已指导企业补齐材料，审批已于本周完成。',
];
const REPLY_CLOSINGS = [
  '后续如有问题可随时与经办人联系。',
  '我单位将持续跟踪，确保问题不再反复。',
  '同类问题已纳入本单位常态化服务清单。',
  '感谢企业对我们工作的理解和支持。',
];

const fill = (rng: Rng, s: string) =>
  s
    .replace('{n}', String(rng.int(3, 600)))
    .replace('{m}', String(rng.int(1, 30)))
    .replace('{k}', String(rng.int(2, 4)))
    .replace('{y}', String(rng.int(2008, 2020)));

function sentences(rng: Rng, pool: readonly string[], count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += fill(rng, rng.pick(pool));
  return out;
}

/** Title and content: the seed's complaint for the category plus 0–3 sentences of context. */
export function issueText(rng: Rng, category: CategoryId): { title: string; content: string } {
  const { title, content } = problemText(rng, category);
  return { title, content: content + sentences(rng, CONTEXT, rng.int(0, 3)) };
}

/** A public progress note: an opening and 0–4 details (about 20–200 characters). */
export function progressNote(rng: Rng): string {
  return rng.pick(NOTE_OPENINGS) + sentences(rng, NOTE_DETAILS, rng.int(0, 4));
}

/** An internal note (not shown to the enterprise). */
export function internalNote(rng: Rng): string {
  return sentences(rng, INTERNAL_DETAILS, 1) + sentences(rng, NOTE_DETAILS, rng.int(0, 2));
}

export function replyNote(rng: Rng): string {
  return sentences(rng, REPLY_BODIES, rng.int(1, 2)) + sentences(rng, REPLY_CLOSINGS, rng.int(0, 2));
}

// Urgency cues (DESIGN §5: 特急 is production stopped or safety at stake) as rule families, with negation:
// "无安全隐患", "未停产", "不着急" do not count. The families become features of the trained urgency model,
// which learns how much each is worth from labelled texts; on their own they give the rule-only urgency used
// before any model exists and the evidence shown to staff.
import type { Urgency } from '../../shared/states.ts';

export const CUE_FAMILIES = {
  stoppage: [
    '停三天',
    '要停了',
    '无法正常生产',
    '全部停工',
    '暂停生产',
    '生产线空转',
    '断料',
    '开不了工',
    '停产',
    '停工',
    '停线',
    '停机',
    '无法生产',
    '不能生产',
    '没法生产',
    '无法开工',
    '不能开工',
    '无法投产',
    '影响投产',
    '影响生产',
    '断供',
    '断料',
    '停摆',
  ],
  safety: [
    '撞到人',
    '掉下去',
    '人在医院',
    '翻了',
    '裂缝',
    '开裂',
    '出事',
    '出人命',
    '危化品',
    '鉴定',
    '安全隐患',
    '安全事故',
    '安全风险',
    '火灾',
    '着火',
    '起火',
    '爆炸',
    '泄漏',
    '中毒',
    '伤亡',
    '受伤',
    '坍塌',
    '塌方',
    '危险',
    '危及',
    '人身安全',
    '生命安全',
  ],
  utilitiesCut: ['停电', '断电', '跳闸', '停水', '断水', '停气', '断气', '断网', '停供'],
  wages: ['发不出', '发工资', '工资', '欠薪', '讨薪', '薪资', '薪水', '农民工'],
  deadline: [
    '后天',
    '下礼拜',
    '下个月',
    '下月初',
    '月底',
    '交货期',
    '三天内',
    '最后一天',
    '申报截止',
    '开标',
    '交不了',
    '再拖',
    '要来验厂',
    '审厂',
    '截止',
    '到期',
    '期限',
    '逾期',
    '月底前',
    '之前必须',
    '眼看',
    '即将',
    '最后期限',
    '过期',
    '来不及',
    '下周',
    '明天',
    '违约',
  ],
  hurry: [
    '赶紧',
    '越快越好',
    '快点',
    '抓紧',
    '请求临时',
    '紧急',
    '着急',
    '焦急',
    '尽快',
    '急需',
    '急用',
    '加急',
    '迫切',
    '马上',
    '立即',
    '刻不容缓',
    '火烧眉毛',
    '等不起',
    '十万火急',
    '燃眉之急',
  ],
  complex: [
    '推来推去',
    '两头',
    '死循环',
    '十几次',
    '多个单位',
    '各部门',
    '均没有解决',
    '都没有解决',
    '没人能',
    '多年未',
    '三年',
    '一年多',
    '等部门',
    '涉及',
    '多部门',
    '多个部门',
    '几个部门',
    '跨部门',
    '跨区域',
    '跨区县',
    '历史遗留',
    '多次反映',
    '反复反映',
    '长期未解决',
    '涉及多',
    '多年',
    '推诿',
    '踢皮球',
    '协调多方',
  ],
} as const satisfies Record<string, readonly string[]>;

export type CueFamily = keyof typeof CUE_FAMILIES;
export const CUE_FAMILY_IDS = Object.keys(CUE_FAMILIES) as CueFamily[];

const FAMILY_URGENCY: Record<CueFamily, Urgency> = {
  stoppage: 'critical',
  safety: 'critical',
  utilitiesCut: 'critical',
  wages: 'urgent',
  deadline: 'urgent',
  hurry: 'urgent',
  complex: 'complex',
};

const NEGATIONS = ['不', '无', '没', '未', '非', '勿', '免'];
/** Characters a negation may stand before its cue ("没有发生安全事故", "并不存在安全隐患"). */
const NEGATION_WINDOW = 4;
const CLAUSE_END = /[，。；！？,.;!?\n]/;

/** Whether the occurrence of a cue at `at` is negated within its own clause. */
function negated(text: string, at: number): boolean {
  let start = at;
  while (start > 0 && at - start < NEGATION_WINDOW && !CLAUSE_END.test(text[start - 1])) start--;
  const before = text.slice(start, at);
  return NEGATIONS.some((n) => before.includes(n));
}

export interface CueHit {
  family: CueFamily;
  cue: string;
}

/** Every non-negated cue in a normalised text (each cue once). */
export function findCues(normalised: string): CueHit[] {
  const hits: CueHit[] = [];
  for (const family of CUE_FAMILY_IDS) {
    for (const cue of CUE_FAMILIES[family]) {
      for (let i = normalised.indexOf(cue); i >= 0; i = normalised.indexOf(cue, i + 1)) {
        if (!negated(normalised, i)) {
          hits.push({ family, cue });
          break;
        }
      }
    }
  }
  return hits;
}

/** The rule-only urgency: stoppage and safety first, then speed, then coordination. */
export function ruleUrgency(hits: readonly CueHit[]): Urgency {
  for (const level of ['critical', 'urgent', 'complex'] as const) {
    if (hits.some((h) => FAMILY_URGENCY[h.family] === level)) return level;
  }
  return 'normal';
}

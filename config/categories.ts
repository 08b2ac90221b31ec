// Default categories of DESIGN §9: Chinese names, the keywords the classifier scores, and the default
// responsible unit per region. Admins edit all three; these are only the starting point.

import type { CategoryId } from '../shared/states.ts';
import type { CategoryKeywords } from '../shared/classify.ts';
import { COUNTIES, LOCAL_CATEGORIES, REGION_CODES, countyCentreCode, type RegionCode } from './units.ts';

export interface CategoryDef extends CategoryKeywords {
  id: CategoryId;
  name: string;
  examples: string;
  /** The city department that leads this category. */
  cityUnit: string;
  /** Default lead unit per region (the county centre for local categories, the city department otherwise). */
  defaultUnits: Readonly<Record<RegionCode, string>>;
}

type Seed = Omit<CategoryDef, 'id' | 'defaultUnits'>;

const SEEDS: Readonly<Record<CategoryId, Seed>> = {
  policy: {
    name: '政策兑现',
    examples: '补贴未兑现、申报条件不清',
    cityUnit: 'city-econ',
    keywords: ['补贴', '奖励', '兑现', '扶持资金', '政策', '申报', '专项资金', '奖补', '资格认定'],
  },
  land: {
    name: '用地厂房',
    examples: '用地指标、厂房验收、不动产权证',
    cityUnit: 'city-nrp',
    keywords: ['用地', '土地', '厂房', '不动产', '产权证', '验收', '规划许可', '容积率', '拆迁', '指标'],
  },
  utilities: {
    name: '水电气网',
    examples: '停水停电、扩容、污水管网、网络接入',
    cityUnit: 'city-construction',
    keywords: [
      '停电',
      '供电',
      '用电',
      '扩容',
      '停水',
      '供水',
      '燃气',
      '天然气',
      '污水',
      '管网',
      '宽带',
      '网络',
      '变压器',
    ],
  },
  finance: {
    name: '融资信贷',
    examples: '贷款提款、担保、信用',
    cityUnit: 'city-finance',
    keywords: ['贷款', '融资', '授信', '担保', '银行', '信贷', '抽贷', '续贷', '利率', '征信'],
  },
  talent: {
    name: '人才用工',
    examples: '招工难、人才公寓、子女入学',
    cityUnit: 'city-hrss',
    keywords: ['招工', '用工', '招聘', '人才', '公寓', '入学', '子女', '社保', '技工', '员工', '劳动'],
  },
  approval: {
    name: '审批许可',
    examples: '反复补正、一件事多个窗口',
    cityUnit: 'city-gov-service',
    keywords: ['审批', '许可', '备案', '补正', '窗口', '办证', '环评', '施工许可', '证照', '跑多次'],
  },
  enforcement: {
    name: '执法检查',
    examples: '重复检查、处罚过重',
    cityUnit: 'city-amr',
    keywords: ['检查', '执法', '处罚', '罚款', '整改通知', '查封', '多头检查', '重复检查', '扣押'],
  },
  legal: {
    name: '法律权益',
    examples: '政府及国企拖欠账款、知识产权侵权',
    cityUnit: 'city-justice',
    keywords: ['拖欠', '欠款', '账款', '合同', '侵权', '知识产权', '专利', '商标', '诉讼', '仲裁', '维权'],
  },
  logistics: {
    name: '交通物流',
    examples: '道路限行、通勤、货运通道',
    cityUnit: 'city-transport',
    keywords: ['限行', '道路', '交通', '物流', '货车', '通勤', '公交', '运输', '码头', '通行证'],
  },
  innovation: {
    name: '科技创新',
    examples: '研发费用加计扣除、校企合作',
    cityUnit: 'city-sci',
    keywords: ['研发', '科技', '创新', '高新技术', '加计扣除', '校企合作', '实验室', '成果转化', '专精特新'],
  },
  tax: {
    name: '税费收费',
    examples: '出口退税、不合理收费',
    cityUnit: 'city-tax',
    keywords: ['税', '退税', '发票', '纳税', '收费', '缴费', '减免', '滞纳金', '出口退税'],
  },
  market: {
    name: '公平竞争',
    examples: '招标设置本地门槛、市场准入',
    cityUnit: 'city-drc',
    keywords: ['招标', '投标', '门槛', '准入', '垄断', '不公平', '歧视', '政府采购', '排斥外地'],
  },
};

function defaultUnitsFor(id: CategoryId, cityUnit: string): Record<RegionCode, string> {
  const local = LOCAL_CATEGORIES.includes(id);
  const entries = COUNTIES.map((c) => [c.code, local ? countyCentreCode(c.code) : cityUnit] as const);
  return Object.fromEntries([['city', cityUnit], ...entries]) as Record<RegionCode, string>;
}

export const CATEGORIES: readonly CategoryDef[] = Object.freeze(
  (Object.keys(SEEDS) as CategoryId[]).map((id) => ({
    id,
    ...SEEDS[id],
    defaultUnits: defaultUnitsFor(id, SEEDS[id].cityUnit),
  })),
);

export const CATEGORY_LABELS: Readonly<Record<CategoryId, string>> = Object.freeze(
  Object.fromEntries(CATEGORIES.map((c) => [c.id, c.name])) as Record<CategoryId, string>,
);

export function categoryDef(id: CategoryId): CategoryDef {
  const def = CATEGORIES.find((c) => c.id === id);
  if (!def) throw new RangeError(`未知的问题类别：${id}`);
  return def;
}

/** Regions known to the defaults, re-exported for admin screens. */
export { REGION_CODES };

// Default unit directory of a Huzhou-like city (DESIGN §4, §9): city departments mapped to categories, the
// service centres, five counties/districts and a few real townships each. Seeding inserts these; admins edit
// the stored copies. Codes are stable: routing rules, demo usernames and tests refer to them.

import { CITY_REGION } from '../shared/roles.ts';
import type { CategoryId, UnitLevel } from '../shared/states.ts';

export interface UnitDef {
  code: string;
  name: string;
  level: UnitLevel;
  /** `city` for city departments, otherwise the county/district code. */
  region: string;
  parentCode?: string | null;
  /** Categories the unit handles by default (routing falls back to these). */
  categories?: readonly CategoryId[];
}

export { CITY_REGION };

export const COUNTIES = Object.freeze([
  { code: 'wuxing', name: '吴兴区' },
  { code: 'nanxun', name: '南浔区' },
  { code: 'deqing', name: '德清县' },
  { code: 'changxing', name: '长兴县' },
  { code: 'anji', name: '安吉县' },
] as const);

export type CountyCode = (typeof COUNTIES)[number]['code'];
export type RegionCode = CountyCode | typeof CITY_REGION;
export const REGION_CODES: readonly RegionCode[] = Object.freeze([
  CITY_REGION,
  ...COUNTIES.map((c) => c.code),
]);
export const REGION_LABELS: Readonly<Record<RegionCode, string>> = Object.freeze({
  city: '湖州市',
  ...(Object.fromEntries(COUNTIES.map((c) => [c.code, c.name])) as Record<CountyCode, string>),
});

/** The city service centre: intake, dispatch, verification and director-tier coordination. */
export const SERVICE_CENTRE_CODE = 'city-centre';

/** The city bureaus of environmental (生态环境) and work-safety (应急管理) matters: keyword routing names them. */
export const ECO_ENV_CODE = 'city-eco-env';
export const EMERGENCY_CODE = 'city-emergency';

/** Categories a county service centre handles locally; the rest go to city departments. */
export const LOCAL_CATEGORIES: readonly CategoryId[] = Object.freeze([
  'land',
  'utilities',
  'enforcement',
  'logistics',
  'approval',
  'talent',
] as CategoryId[]);

const city = (code: string, name: string, categories: CategoryId[]): UnitDef => ({
  code,
  name,
  level: 'city',
  region: CITY_REGION,
  parentCode: null,
  categories,
});

export const CITY_DEPARTMENTS: readonly UnitDef[] = Object.freeze([
  city(SERVICE_CENTRE_CODE, '市企业综合服务中心', []),
  city('city-drc', '市发展和改革委员会', ['policy', 'market']),
  city('city-econ', '市经济和信息化局', ['policy', 'utilities']),
  city('city-nrp', '市自然资源和规划局', ['land']),
  city('city-hrss', '市人力资源和社会保障局', ['talent']),
  city('city-tax', '国家税务总局湖州市税务局', ['tax']),
  city('city-finance', '市委金融办', ['finance']),
  city('city-amr', '市市场监督管理局', ['market', 'enforcement']),
  city('city-justice', '市司法局', ['legal', 'enforcement']),
  city('city-transport', '市交通运输局', ['logistics']),
  city('city-sci', '市科学技术局', ['innovation']),
  city('city-gov-service', '市政务服务管理办公室', ['approval']),
  city('city-construction', '市住房和城乡建设局', ['utilities', 'land']),
  // Environmental and work-safety matters (环评, 排污, 环保督查; 安全生产, 危化品) are no category of their own:
  // they arrive as 审批许可 or 执法检查 and reach these bureaus by the keyword rules of config/routing.ts.
  city(ECO_ENV_CODE, '市生态环境局', ['enforcement']),
  city(EMERGENCY_CODE, '市应急管理局', ['enforcement']),
]);

/** Real townships and sub-districts (乡镇/街道), a few per county. */
const TOWNSHIPS: Readonly<Record<CountyCode, ReadonlyArray<readonly [string, string]>>> = {
  wuxing: [
    ['zhili', '织里镇'],
    ['balidian', '八里店镇'],
    ['miaoxi', '妙西镇'],
    ['daixi', '埭溪镇'],
  ],
  nanxun: [
    ['nanxun-town', '南浔镇'],
    ['lianshi', '练市镇'],
    ['shuanglin', '双林镇'],
    ['linghu', '菱湖镇'],
  ],
  deqing: [
    ['wukang', '武康街道'],
    ['xinshi', '新市镇'],
    ['qianyuan', '乾元镇'],
    ['moganshan', '莫干山镇'],
  ],
  changxing: [
    ['zhicheng', '雉城街道'],
    ['heping', '和平镇'],
    ['sian', '泗安镇'],
    ['meishan', '煤山镇'],
  ],
  anji: [
    ['dipu', '递铺街道'],
    ['xiaofeng', '孝丰镇'],
    ['tianhuangping', '天荒坪镇'],
    ['meixi', '梅溪镇'],
  ],
};

/** The county service centre code for a county, e.g. `deqing-centre`. */
export const countyCentreCode = (county: CountyCode) => `${county}-centre`;

function countyUnits(county: CountyCode, name: string): UnitDef[] {
  const centre: UnitDef = {
    code: countyCentreCode(county),
    name: `${name}企业综合服务中心`,
    level: 'county',
    region: county,
    parentCode: SERVICE_CENTRE_CODE,
    categories: LOCAL_CATEGORIES,
  };
  const townships = TOWNSHIPS[county].map(([code, townName]) => ({
    code: `${county}-${code}`,
    name: townName,
    level: 'township' as const,
    region: county,
    parentCode: centre.code,
    categories: [],
  }));
  return [centre, ...townships];
}

export const UNITS: readonly UnitDef[] = Object.freeze([
  ...CITY_DEPARTMENTS,
  ...COUNTIES.flatMap((c) => countyUnits(c.code, c.name)),
]);

export function findUnit(code: string): UnitDef | undefined {
  return UNITS.find((u) => u.code === code);
}

/** The townships (乡镇/街道) of the directory: the source of truth for reading one from an address. */
export const TOWNSHIP_UNITS: readonly UnitDef[] = Object.freeze(UNITS.filter((u) => u.level === 'township'));

/**
 * The township of `region` an address names, by its full name (织里镇, 武康街道): the code of the one it names,
 * or null when it names none of the county's, or two (a short form like 新市 or 南浔 is also a road or the
 * district itself, so it never counts).
 */
export function townshipInAddress(
  region: string,
  address: string | undefined,
  townships: readonly Pick<UnitDef, 'code' | 'name' | 'region'>[] = TOWNSHIP_UNITS,
): string | null {
  if (!address) return null;
  const named = townships.filter((t) => t.region === region && address.includes(t.name));
  return named.length === 1 ? named[0].code : null;
}

/**
 * The demo's townships that handle some local categories themselves (a real city declares these per
 * township in 单位管理): their enterprises' issues of these categories go to the township first.
 */
export const DEMO_TOWNSHIP_CATEGORIES: Readonly<Record<string, readonly CategoryId[]>> = Object.freeze({
  'wuxing-zhili': ['land', 'utilities', 'logistics', 'enforcement'],
  'wuxing-balidian': ['utilities', 'logistics'],
  'nanxun-shuanglin': ['land', 'utilities', 'logistics'],
  'nanxun-lianshi': ['utilities', 'logistics'],
  'deqing-wukang': ['land', 'utilities', 'enforcement'],
  'deqing-xinshi': ['utilities', 'logistics'],
  'changxing-zhicheng': ['land', 'utilities', 'logistics'],
  'changxing-meishan': ['utilities', 'logistics'],
  'anji-dipu': ['land', 'utilities', 'enforcement'],
  'anji-xiaofeng': ['utilities', 'logistics'],
});

/** The directory the demo seeds: UNITS with DEMO_TOWNSHIP_CATEGORIES declared. */
export const DEMO_UNITS: readonly UnitDef[] = Object.freeze(
  UNITS.map((u) =>
    DEMO_TOWNSHIP_CATEGORIES[u.code] ? { ...u, categories: DEMO_TOWNSHIP_CATEGORIES[u.code] } : u,
  ),
);

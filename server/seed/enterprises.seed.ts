// Deterministic demo enterprises for the five counties/districts: realistic names, industries typical of
// each place, addresses, owners and mobiles, and credit codes that pass the GB 32100-2015 check (with the
// embedded GB 11714 organisation code check digit too). Same output on every run.
import { townshipInAddress } from '../../config/units.ts';
import { makeCreditCode } from '../../shared/credit-code.ts';
import { createRng, type Rng } from './prng.ts';
import { personName } from './names.ts';

export interface County {
  /** Region code used on units, users and enterprises. */
  region: string;
  name: string;
  /** Short place name used in company names. */
  short: string;
  /** GB/T 2260 administrative division code. */
  division: string;
  towns: readonly string[];
  /** Industries this place is known for (drawn more often). */
  signature: readonly string[];
}

export const DEMO_COUNTIES: readonly County[] = [
  {
    region: 'wuxing',
    name: '吴兴区',
    short: '吴兴',
    division: '330502',
    towns: ['织里镇', '八里店镇', '埭溪镇', '妙西镇', '爱山街道', '月河街道'],
    signature: ['童装', '纺织', '金属材料'],
  },
  {
    region: 'nanxun',
    name: '南浔区',
    short: '南浔',
    division: '330503',
    towns: ['南浔镇', '练市镇', '双林镇', '菱湖镇', '和孚镇'],
    signature: ['绿色家居', '电机电梯', '纺织'],
  },
  {
    region: 'deqing',
    name: '德清县',
    short: '德清',
    division: '330521',
    towns: ['武康街道', '新市镇', '乾元镇', '洛舍镇', '雷甸镇', '阜溪街道'],
    signature: ['地理信息', '生物医药', '新能源汽车零部件'],
  },
  {
    region: 'changxing',
    name: '长兴县',
    short: '长兴',
    division: '330522',
    towns: ['雉城街道', '煤山镇', '和平镇', '泗安镇', '李家巷镇', '太湖街道'],
    signature: ['新能源电池', '新能源汽车零部件', '非金属矿物制品'],
  },
  {
    region: 'anji',
    name: '安吉县',
    short: '安吉',
    division: '330523',
    towns: ['递铺街道', '孝丰镇', '天荒坪镇', '溪龙乡', '天子湖镇', '梅溪镇'],
    signature: ['竹木制品', '绿色家居', '白茶'],
  },
];

/** Industry → the words a company in it puts in its name. */
const INDUSTRY_WORDS: Readonly<Record<string, readonly string[]>> = {
  纺织: ['纺织', '织造', '丝绸', '印染'],
  童装: ['服饰', '童装', '制衣'],
  竹木制品: ['竹业', '竹木制品', '竹纤维科技'],
  绿色家居: ['家居', '家具', '木业'],
  新能源汽车零部件: ['汽车部件', '新能源科技', '精密机械'],
  新能源电池: ['电源', '储能科技', '能源科技'],
  生物医药: ['生物医药', '药业', '生物科技'],
  地理信息: ['地理信息科技', '测绘科技', '空间信息'],
  金属材料: ['金属制品', '铝业', '钢管'],
  电机电梯: ['电梯', '电机', '机电'],
  非金属矿物制品: ['新型建材', '耐火材料', '建材'],
  白茶: ['茶业', '白茶', '生态农业'],
  现代物流: ['物流', '供应链管理', '仓储'],
  软件和信息服务: ['信息技术', '数字科技', '软件'],
};
const GENERAL_INDUSTRIES = ['现代物流', '软件和信息服务', '纺织', '金属材料', '生物医药', '绿色家居'];

const BRANDS = [
  '恒达',
  '永盛',
  '华美',
  '鑫源',
  '博远',
  '宏利',
  '瑞丰',
  '嘉诚',
  '振兴',
  '佳和',
  '远航',
  '盛世',
  '新禾',
  '竹韵',
  '润泽',
  '锦程',
  '立信',
  '万顺',
  '众联',
  '天衡',
  '明辉',
  '信诚',
  '丰华',
  '卓越',
  '合力',
  '春晖',
  '德润',
  '安澜',
  '晟达',
  '凯旋',
  '飞燕',
  '金桥',
  '同创',
  '中天',
  '荣昌',
  '海纳',
  '优品',
  '弘毅',
  '绿源',
  '苕溪',
  '太湖',
  '清源',
];
const SUFFIXES = ['有限公司', '有限公司', '有限公司', '股份有限公司', '集团有限公司'];
const ROADS = [
  '兴业路',
  '创新大道',
  '工业园路',
  '科技路',
  '环城北路',
  '开发大道',
  '青年路',
  '民营路',
  '振兴路',
  '湖滨路',
];
const MOBILE_PREFIXES = [
  '133',
  '135',
  '137',
  '138',
  '139',
  '150',
  '151',
  '158',
  '177',
  '180',
  '187',
  '189',
  '199',
];
const ORG_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

export interface DemoEnterprise {
  creditCode: string;
  name: string;
  region: string;
  industry: string;
  address: string;
  /** The township unit its address names (config/units.ts), when it names one of the directory's. */
  township?: string;
  ownerName: string;
  mobile: string;
}

/** GB 11714 organisation code (8 characters + check digit) as embedded in positions 9–17 of a credit code. */
function organisationCode(rng: Rng): string {
  const weights = [3, 7, 9, 10, 5, 8, 4, 2];
  let body = '';
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const ch = i < 2 ? ORG_ALPHABET[rng.int(0, 9)] : rng.pick(ORG_ALPHABET.split(''));
    body += ch;
    sum += ORG_ALPHABET.indexOf(ch) * weights[i];
  }
  const c = 11 - (sum % 11);
  return body + (c === 10 ? 'X' : c === 11 ? '0' : String(c));
}

export function generateDemoEnterprises(count = 240, seed = 20260301): DemoEnterprise[] {
  const rng = createRng(seed);
  const names = new Set<string>();
  const codes = new Set<string>();
  const out: DemoEnterprise[] = [];
  while (out.length < count) {
    const county = DEMO_COUNTIES[out.length % DEMO_COUNTIES.length];
    const industry = rng.next() < 0.65 ? rng.pick(county.signature) : rng.pick(GENERAL_INDUSTRIES);
    const place = rng.next() < 0.5 ? county.short : `湖州${rng.next() < 0.5 ? '' : county.short}`;
    const name = `${place}${rng.pick(BRANDS)}${rng.pick(INDUSTRY_WORDS[industry])}${rng.pick(SUFFIXES)}`;
    // Registration authority 9 (市场监管), type 1 (企业), then the county's division code.
    const creditCode = makeCreditCode(`91${county.division}${organisationCode(rng)}`);
    if (names.has(name) || codes.has(creditCode)) continue;
    names.add(name);
    codes.add(creditCode);
    const town = rng.pick(county.towns);
    const address = `浙江省湖州市${county.name}${town}${rng.pick(ROADS)}${rng.int(1, 999)}号`;
    const township = townshipInAddress(county.region, address);
    out.push({
      creditCode,
      name,
      region: county.region,
      industry,
      address,
      ...(township ? { township } : {}),
      ownerName: personName(rng),
      mobile: rng.pick(MOBILE_PREFIXES) + String(rng.int(0, 99_999_999)).padStart(8, '0'),
    });
  }
  return out;
}

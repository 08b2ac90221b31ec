// The world a generated data set lives in: the demo units and staff accounts (the same list the demo seed
// inserts, config/units.ts and server/seed/users.seed.ts) and a city's worth of enterprises, all with
// deterministic ObjectIds so the same seed always yields the same issues. Enterprises get valid GB 32100-2015
// credit codes (with a valid embedded GB 11714 organisation code) and a 256-bit QR token drawn from the seeded
// PRNG: realistic in shape, but predictable, so for benchmarks only.
import { ObjectId } from 'mongodb';
import { UNITS } from '../../../config/units.ts';
import { makeCreditCode } from '../../../shared/credit-code.ts';
import type { Actor } from '../../../shared/roles.ts';
import type { UnitLevel } from '../../../shared/states.ts';
import { DEMO_COUNTIES } from '../../../server/seed/enterprises.seed.ts';
import { personName } from '../../../server/seed/names.ts';
import { createRng, type Rng } from '../../../server/seed/prng.ts';
import { demoAccounts } from '../../../server/seed/users.seed.ts';
import type { EnterpriseDoc } from '../../../server/models/enterprise.model.ts';
import type { CategoryId } from '../../../shared/states.ts';

/** Tags in byte 4 of a generated ObjectId, so ids of different collections never collide. */
export const OID_TAG = { unit: 1, user: 2, enterprise: 3, issue: 4 } as const;

/** A deterministic ObjectId: creation second, collection tag, data set seed, counter. */
export function makeObjectId(tag: number, seconds: number, counter: number, seed: number): ObjectId {
  const bytes = Buffer.alloc(12);
  bytes.writeUInt32BE(seconds >>> 0, 0);
  bytes.writeUInt8(tag, 4);
  bytes.writeUIntBE(seed & 0xffffff, 5, 3);
  bytes.writeUInt32BE(counter >>> 0, 8);
  return new ObjectId(bytes);
}

export interface WorldUnit {
  _id: ObjectId;
  id: string;
  code: string;
  name: string;
  level: UnitLevel;
  region: string;
  parentCode: string | null;
  categories: CategoryId[];
}

/** A staff member as the lifecycle sees them (Actor) plus the display name the timeline stores. */
export interface WorldActor extends Actor {
  name: string;
  _id: ObjectId;
}

/** An enterprise as the Enterprise model stores it, less what mongoose fills in (timestamps, PIN). */
export type WorldEnterprise = Pick<
  EnterpriseDoc,
  'creditCode' | 'name' | 'region' | 'industry' | 'address' | 'ownerName' | 'mobile' | 'qrToken'
> & { _id: ObjectId };

export interface World {
  seed: number;
  units: WorldUnit[];
  unitByCode: ReadonlyMap<string, WorldUnit>;
  unitById: ReadonlyMap<string, WorldUnit>;
  actors: ReadonlyMap<string, WorldActor>;
  enterprises: WorldEnterprise[];
}

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
  餐饮住宿: ['餐饮管理', '酒店管理', '农家乐'],
  商贸零售: ['商贸', '贸易', '百货'],
};
const GENERAL = ['现代物流', '软件和信息服务', '纺织', '金属材料', '餐饮住宿', '商贸零售', '绿色家居'];
// Two-character trade names: 64 × 64 combinations, so a city of 100,000 enterprises has unique names.
const BRAND_CHARS = [
  ...'恒达永盛华美鑫源博远宏利瑞丰嘉诚振兴佳和航世新禾竹韵润泽锦程立信万顺众联天衡明辉丰卓越合力春晖德安澜晟凯旋飞燕金桥同创中荣昌海纳优品弘毅绿清翔宇',
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
];
const MOBILE_PREFIXES = ['133', '135', '137', '138', '139', '150', '151', '158', '177', '180', '187', '189'];
const ORG_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/** GB 11714 organisation code: 8 characters and their check digit (positions 9–17 of a credit code). */
function organisationCode(rng: Rng): string {
  let body = '';
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const value = i < 2 ? rng.int(0, 9) : rng.int(0, ORG_ALPHABET.length - 1);
    body += ORG_ALPHABET[value];
    sum += value * ORG_WEIGHTS[i];
  }
  const check = 11 - (sum % 11);
  return body + (check === 10 ? 'X' : check === 11 ? '0' : String(check));
}

function qrToken(rng: Rng): string {
  const bytes = Buffer.alloc(32);
  for (let i = 0; i < 32; i += 4) bytes.writeUInt32BE(Math.floor(rng.next() * 2 ** 32), i);
  return bytes.toString('base64url');
}

function enterpriseName(rng: Rng, county: (typeof DEMO_COUNTIES)[number], industry: string): string {
  const place = rng.next() < 0.5 ? county.short : `湖州${rng.next() < 0.5 ? '' : county.short}`;
  const brand = rng.pick(BRAND_CHARS) + rng.pick(BRAND_CHARS);
  return `${place}${brand}${rng.pick(INDUSTRY_WORDS[industry])}${rng.pick(SUFFIXES)}`;
}

/** `count` enterprises spread over the five counties, unique by name and credit code. */
export function generateEnterprises(count: number, seed: number, createdSeconds: number): WorldEnterprise[] {
  const rng = createRng(seed ^ 0x5eed);
  const names = new Set<string>();
  const codes = new Set<string>();
  const out: WorldEnterprise[] = [];
  while (out.length < count) {
    const county = DEMO_COUNTIES[out.length % DEMO_COUNTIES.length];
    const industry = rng.next() < 0.6 ? rng.pick(county.signature) : rng.pick(GENERAL);
    const name = enterpriseName(rng, county, industry);
    const creditCode = makeCreditCode(`91${county.division}${organisationCode(rng)}`);
    if (names.has(name) || codes.has(creditCode)) continue;
    names.add(name);
    codes.add(creditCode);
    out.push({
      _id: makeObjectId(OID_TAG.enterprise, createdSeconds, out.length, seed),
      creditCode,
      name,
      region: county.region,
      industry,
      address: `浙江省湖州市${county.name}${rng.pick(county.towns)}${rng.pick(ROADS)}${rng.int(1, 999)}号`,
      ownerName: personName(rng),
      mobile: rng.pick(MOBILE_PREFIXES) + String(rng.int(0, 99_999_999)).padStart(8, '0'),
      qrToken: qrToken(rng),
    });
  }
  return out;
}

/** The demo units and accounts with deterministic ids, and `enterpriseCount` enterprises. */
export function createWorld(opts: { seed: number; enterpriseCount: number; createdAt: Date }): World {
  const seconds = Math.floor(opts.createdAt.getTime() / 1000);
  const units: WorldUnit[] = UNITS.map((u, i) => {
    const _id = makeObjectId(OID_TAG.unit, seconds, i, opts.seed);
    return {
      _id,
      id: _id.toHexString(),
      code: u.code,
      name: u.name,
      level: u.level,
      region: u.region,
      parentCode: u.parentCode ?? null,
      categories: [...(u.categories ?? [])],
    };
  });
  const unitByCode = new Map(units.map((u) => [u.code, u]));
  const actors = new Map<string, WorldActor>();
  demoAccounts(units).forEach((a, i) => {
    const _id = makeObjectId(OID_TAG.user, seconds, i, opts.seed);
    const unit = a.unitCode ? unitByCode.get(a.unitCode) : undefined;
    actors.set(a.username, {
      _id,
      id: _id.toHexString(),
      username: a.username,
      name: a.name,
      role: a.role,
      unitId: unit?.id,
      region: a.region,
    });
  });
  return {
    seed: opts.seed,
    units,
    unitByCode,
    unitById: new Map(units.map((u) => [u.id, u])),
    actors,
    enterprises: generateEnterprises(opts.enterpriseCount, opts.seed, seconds),
  };
}

// The message each demo issue is taken in from, and whom it names as its channel records them: the caller, the
// sender's mobile or mail address is the contact (a new-user trial found every demo issue saying
// 未留联系方式). The text is the enterprise's own words, without a channel's set phrases (来电人反映…,
// 尊敬的领导…): shared by unrelated complaints, those phrases made the clustering offer them as class problems.
import { contactSchema, type ContactInput } from '../../shared/schemas.ts';
import type { ChannelId } from '../../shared/states.ts';
import { problemWords } from './issue-texts.seed.ts';
import type { Problem } from './problem.ts';
import { personName } from './names.ts';
import type { Rng } from './prng.ts';
import type { OutOfScopeText, TriageText } from './triage-texts.seed.ts';

/** The enterprise as its messages know it. */
export interface Writer {
  name: string;
  ownerName: string;
  mobile: string;
}

const MOBILE_PREFIXES = ['133', '135', '137', '138', '139', '150', '152', '158', '177', '180', '187', '189'];

/** Pinyin of the demo enterprises' brand names (enterprises.seed.ts), for their mail addresses. */
const BRAND_PINYIN: Readonly<Record<string, string>> = {
  恒达: 'hengda',
  永盛: 'yongsheng',
  华美: 'huamei',
  鑫源: 'xinyuan',
  博远: 'boyuan',
  宏利: 'hongli',
  瑞丰: 'ruifeng',
  嘉诚: 'jiacheng',
  振兴: 'zhenxing',
  佳和: 'jiahe',
  远航: 'yuanhang',
  盛世: 'shengshi',
  新禾: 'xinhe',
  竹韵: 'zhuyun',
  润泽: 'runze',
  锦程: 'jincheng',
  立信: 'lixin',
  万顺: 'wanshun',
  众联: 'zhonglian',
  天衡: 'tianheng',
  明辉: 'minghui',
  信诚: 'xincheng',
  丰华: 'fenghua',
  卓越: 'zhuoyue',
  合力: 'heli',
  春晖: 'chunhui',
  德润: 'derun',
  安澜: 'anlan',
  晟达: 'shengda',
  凯旋: 'kaixuan',
  飞燕: 'feiyan',
  金桥: 'jinqiao',
  同创: 'tongchuang',
  中天: 'zhongtian',
  荣昌: 'rongchang',
  海纳: 'haina',
  优品: 'youpin',
  弘毅: 'hongyi',
  绿源: 'lvyuan',
  苕溪: 'tiaoxi',
  太湖: 'taihu',
  清源: 'qingyuan',
};

const mobile = (rng: Rng) => rng.pick(MOBILE_PREFIXES) + String(rng.int(0, 99_999_999)).padStart(8, '0');

/** A small enterprise's mail: a QQ number, a 163 box, or the company's own domain. */
function mailAddress(rng: Rng, enterprise: Writer): string {
  const brand = Object.keys(BRAND_PINYIN).find((b) => enterprise.name.includes(b));
  const pinyin = brand ? BRAND_PINYIN[brand] : undefined;
  const r = rng.next();
  if (!pinyin || r < 0.4) return `${rng.int(10_000_000, 3_999_999_999)}@qq.com`;
  if (r < 0.7) return `${pinyin}${rng.int(1, 99)}@${rng.pick(['163.com', '126.com'])}`;
  return `${rng.pick(['office', 'admin', 'finance', 'service'])}@${pinyin}.com.cn`;
}

/**
 * Who wrote in, as the channel records them: the owner or another manager of the enterprise; an SMS gives only
 * its number, an email its address. A department's own discovery names nobody at the enterprise.
 */
export function senderOf(rng: Rng, channel: ChannelId, enterprise: Writer): ContactInput | undefined {
  if (channel === 'discovery') return undefined;
  const owner = channel === 'qr' || rng.next() < 0.65;
  const name = owner ? enterprise.ownerName : personName(rng);
  const phone = owner ? enterprise.mobile : mobile(rng);
  // As the staff form's schema hands it on.
  if (channel === 'sms') return contactSchema.parse({ phone });
  if (channel === 'email') return contactSchema.parse({ name, email: mailAddress(rng, enterprise) });
  return contactSchema.parse({ name, phone });
}

/** What a planned message is about (issues.seed.ts decides it in time order). */
export type PlannedText =
  | { kind: 'problem'; problem: Problem }
  | { kind: 'cross'; text: TriageText }
  | { kind: 'outside'; text: OutOfScopeText }
  | { kind: 'duplicate' };

/** A message as taken in. */
export interface SeedMessage {
  title: string;
  content: string;
  contact?: ContactInput;
}

/** The message the plan needs, from this enterprise, naming who sent it. */
export function planMessage(
  rng: Rng,
  text: Exclude<PlannedText, { kind: 'duplicate' }>,
  channel: ChannelId,
  enterprise: Writer,
): SeedMessage {
  const contact = senderOf(rng, channel, enterprise);
  if (text.kind !== 'problem') return { title: text.text.title, content: text.text.content, contact };
  return { title: text.problem.title, content: problemWords(rng, text.problem), contact };
}

/** The same enterprise again, through another channel, about an issue it raised before and still waits on. */
export function duplicateMessage(
  rng: Rng,
  master: SeedMessage,
  channel: ChannelId,
  enterprise: Writer,
): SeedMessage {
  const contact = senderOf(rng, channel, enterprise);
  const again = rng.pick(['之前已经反映过一次，到现在还没有回音。', '前几天反映过，想问一下进展。']);
  return { title: master.title, content: master.content + again, contact };
}

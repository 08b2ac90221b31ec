// Demo class problems (issue 7 §3): three classes of the same problem raised by different enterprises in the
// last weeks — 织里工业园区频繁停电 (吴兴), 出口退税进度慢 (every county), 长兴县城货车限行 — taken in through
// the real intake command, so the clustering job (run at start-up) offers them to a leader as candidate class
// problems on a fresh clone. They come in through 浙里办, each with its application number and the sender as
// contact. Idempotent: nothing is done once the first complaint exists.
import { createWorkCalendar } from '../../shared/calendar.ts';
import { createSimulatedClock, DAY_MS, type Clock } from '../../shared/clock.ts';
import type { CategoryId } from '../../shared/states.ts';
import { DEFAULT_TIME_LIMIT_POLICY } from '../../config/time-limits.ts';
import { issueCreateCommand } from '../commands/issue-create.command.ts';
import type { EnterpriseDoc, Models } from '../models/index.ts';
import { senderOf } from './issue-messages.seed.ts';
import { ExternalIds } from './external-ids.seed.ts';
import type { TimedIntake } from './issues.seed.ts';
import { statedUrgency } from './issue-texts.seed.ts';
import { createRng } from './prng.ts';

interface DemoClass {
  key: string;
  category: CategoryId;
  /** Regions the enterprises come from (any when empty). */
  regions: string[];
  texts: string[];
}

export const DEMO_CLASSES: readonly DemoClass[] = [
  {
    key: 'outage',
    category: 'utilities',
    regions: ['wuxing'],
    texts: [
      '织里镇工业园区本月已经第四次停电了，每次一两个小时，车间缝纫机全部停下，交货期压力很大。',
      '我们在织里工业园区，最近三天两头停电，供电所说是园区线路负荷太大，希望尽快扩容。',
      '织里园区又停电了，印染机一停整缸布就报废，这个月损失已经十多万。',
      '反映织里镇工业园区供电不稳定问题：近一个月非计划停电三次，请供电部门排查线路。',
      '园区停电太频繁，我们童装厂赶订单，工人只能干等，希望织里供电所给个说法。',
      '织里工业园区晚上经常跳闸停电，夜班没法开，旺季订单做不完。',
    ],
  },
  {
    key: 'rebate',
    category: 'tax',
    regions: [],
    texts: [
      '出口退税申报已经三个多月，退税款一直没有到账，企业资金周转困难。',
      '我们是外贸企业，今年上半年的出口退税进度特别慢，审核迟迟不通过。',
      '企业负责人反映出口退税审批时间太长，垫付的税款占用了大量流动资金。',
      '去年第四季度申报的出口退税至今未退，询问税务只说在排队审核。',
      '出口退税到账慢，银行贷款到期还不上，希望税务部门加快退税审核。',
    ],
  },
  {
    key: 'truck-ban',
    category: 'logistics',
    regions: ['changxing'],
    texts: [
      '长兴县城新出的货车限行规定，白天货车进不了城区，我们的原料送不进厂。',
      '县城货车限行以后，物流车只能夜里进来，卸货工人加班费大增，希望给园区企业开通行证。',
      '长兴城区限行范围扩大，重型货车绕行二十多公里，运输成本明显上升。',
      '反映长兴县城货车限行问题：企业成品发货受限，客户投诉交货延误，请交通部门协调通行证。',
      '限行后我们的货车白天被拦下罚款，长兴这边有没有企业货车通行证可以办？',
    ],
  },
];

/**
 * One intake per text, each from a different enterprise, spread over the last four weeks (oldest first, a few
 * days apart, the newest yesterday); empty once the first exists. The issue seed takes them in among its own
 * so that numbers still follow time.
 */
export async function classIssueIntakes(
  models: Models,
  clock: Clock,
  enterprises: readonly EnterpriseDoc[],
  /** Shared with the demo issues, so no 浙里办 number is handed out twice. */
  externalIds = new ExternalIds(createRng(20261107)),
): Promise<TimedIntake[]> {
  if (await models.Issue.exists({ channel: 'zheliban', content: DEMO_CLASSES[0].texts[0] })) return [];
  const actor = await models.User.findOne(
    { username: 'clerk' },
    { username: 1, name: 1, role: 1, unitId: 1 },
  ).lean();
  if (!actor) return [];
  const calendar = createWorkCalendar();
  const end = clock.now().getTime();
  const used = new Set<string>();
  const rng = createRng(20261108);
  const intakes: TimedIntake[] = [];
  for (const cls of DEMO_CLASSES) {
    const pool = enterprises.filter((e) => !cls.regions.length || cls.regions.includes(e.region));
    const regions = [...new Set(pool.map((e) => e.region))];
    for (const [k, text] of cls.texts.entries()) {
      // Across the regions in turn (a class that spans the city shows it).
      const region = regions[k % regions.length];
      const enterprise = pool.find((e) => e.region === region && !used.has(String(e._id)));
      if (!enterprise) break;
      used.add(String(enterprise._id));
      const at = new Date(end - (cls.texts.length - k) * 4 * DAY_MS - 3_600_000 * (k + 1));
      const externalId = externalIds.next('zheliban', { at, region: enterprise.region });
      const contact = senderOf(rng, 'zheliban', enterprise);
      const create = () =>
        issueCreateCommand(
          {
            models,
            clock: createSimulatedClock(at),
            settings: async () => ({ calendar, policy: DEFAULT_TIME_LIMIT_POLICY }),
          },
          { id: String(actor._id), username: actor.username, name: actor.name, role: actor.role },
          {
            enterprise: { id: String(enterprise._id) },
            channel: 'zheliban',
            externalId,
            contact,
            category: cls.category,
            urgency: statedUrgency({ content: text }, 'normal'),
            content: text,
          },
        );
      intakes.push({ at, create });
    }
  }
  return intakes.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** The demo classes on their own (into a database seeded without them); returns how many were created. */
export async function seedClassIssues(
  models: Models,
  clock: Clock,
  enterprises: readonly EnterpriseDoc[],
): Promise<number> {
  const intakes = await classIssueIntakes(models, clock, enterprises);
  for (const intake of intakes) await intake.create();
  return intakes.length;
}

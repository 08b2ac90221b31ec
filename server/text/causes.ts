// What went wrong, for the class-problem clustering (cluster.ts). A near miss of a class shares the class's
// place, category and the thing complained about (和孚's 停电, 新市's ships, 东林's network) and differs in the
// cause: the substation's capacity against a contractor cutting a cable or an unpaid bill; a queue at the lock
// against its maintenance notice or a fee rise. A bag of words weighs the one or two cause words like any other
// word, so the near miss joins. Here the cause is read off the text as families of problem predicates, the
// generic ways a complaint says what is wrong (a price rises, a queue or a wait, a quota runs out, someone does
// not pay, a system is down, a road is blocked…), in the words enterprises and hotline operators use; where the
// text states its cause (因为, 由于, 原因是, 说是, 以…为由, …导致/造成), the families of that clause are the cause,
// not the consequences it goes on to list (运费也涨了). A finished cluster lets out a text whose causes are none of
// the causes its texts commonly name (cluster.ts), much as the duplicate check keeps two faults at one place apart
// (repeat-problems.ts); the duplicate check weighs two texts naming causes with none in common against a merge
// (repeat-features.ts causesDiffer). A text naming none is never judged by this.
//
// The families are problem predicates of complaints in general, not any corpus file's classes; a family lists
// the ways one predicate is said. Families that cost recall on the development files for no precision (checks
// and inspections, a stopped service, money not paid out, noise, removal orders, a registration change) are not
// here. Pure.

/** One kind of cause and the ways it is said (on normalised text: lower case, no spacing). */
const FAMILIES: readonly RegExp[] = [
  // A price, fee, rent or rate goes up, or is too high.
  /涨价|上涨|涨了|涨到|又涨|上调|调高|提价|加价|太贵|贵了|收费标准|费率|租金|利率|单价/u,
  // Planned work or a late notice of it.
  /检修|(?<!非)计划停|停航|维护保养|通知[^。!?]{0,8}(才|晚|迟)|提前[^。!?]{0,4}通知|临时通知/u,
  // Something dug, cut or damaged by works.
  /挖断|挖破|挖坏|铲断|挖了|被挖|打桩|施工队|施工单位|施工方/u,
  // Not enough capacity for the load.
  /容量|负荷|过载|满载|带不动|扛不住|不够用|余量|通航能力|通行能力/u,
  // Weather and nature.
  /大风|台风|暴雨|雷击|树枝|水位|干旱|雨水少/u,
  // Somebody does not pay what they owe.
  /拖欠|欠款|欠[^。!?]{0,4}(款|钱|账)|不付|没付|不结|未结|赖账|一分没给|收不回|拿不回|追讨|追回/u,
  // The enterprise itself did not pay or file.
  /欠费|没交|未交|没缴|未缴|漏报|余额不足|扣款失败/u,
  // Taken money and gone.
  /失联|跑路|卷款|骗|联系不上|人找不到|打不通/u,
  // A debtor fails.
  /破产|重整|倒闭|清算|债权申报/u,
  // A system or equipment fails.
  /(系统|网站|网页|平台|页面|税务局|app)[^。!?]{0,8}(崩|坏|故障|卡|繁忙|报错|登不上|进不去|打不开|用不了)|宕机|崩了|登不上|报错|故障|失灵|坏了/u,
  // A queue, a wait or a schedule.
  /排队|排期|排到|排了|待闸|积压|预约|号源|放号|等候|等了/u,
  // A quota, allowance or limit used up or too small.
  /指标|额度|名额|总量|用完|没有余/u,
  // Quality of goods.
  /质量|异物|起球|不合格|次品|瑕疵/u,
  // Someone else uses the name or design.
  /冒用|冒充|假冒|仿冒|冒名|侵权|抢注|山寨|贴牌/u,
  // Fines, penalties and points.
  /罚款|处罚|罚了|被罚|扣分|抓拍|被拍|滞纳金|罚单/u,
  // People leave or cannot be found.
  /招不到|缺人|流失|挖走|挖人|抢人|挖角|跳槽|辞职|留不住/u,
  // Where workers live, and how they get to work or school.
  /宿舍|床位|住宿|公寓|住房/u,
  /班车|公交|通勤/u,
  /上学|入学|子女|孩子/u,
  // A document or certificate that cannot be had.
  /产权证|不动产证|土地证|证[^。!?]{0,2}办不/u,
  // A new or added requirement.
  /要求补|补做|前置|新要求|新增[^。!?]{0,6}要求/u,
  // A building, surface or pipe is damaged or leaks.
  /开裂|下沉|漏水|渗漏|漏雨|渗水|破损|坑洼|塌|漏汽|漏气|泄漏|泄露/u,
  // A way is blocked or occupied.
  /占道|违停|乱停|停满|堵死|堆满|(路|道)[^。!?]{0,4}占用|占用[^。!?]{0,4}(路|道)|挡住/u,
  // A height, width or weight limit.
  /限高|限载|限重|危桥|净空|限宽/u,
  // Guarantees, collateral and their terms.
  /担保|抵押|反担保|连带/u,
  // Credit records and ratings.
  /征信|信用记录|逾期记录|信用分|纳税信用/u,
  // A valuation or assessment.
  /评估|评价|鉴定|核定/u,
  // Too little of a supply: pressure, level or strength.
  /气压|水压|汽压|(水|气|汽|管网|管道)[^。!?]{0,4}压力|压力(不足|不够|太低|偏低|上不去)|不够劲|上不去|掉到/u,
  // A meter or a reading that disagrees.
  /计量|流量计|水表|电表|读数|校验|算错|显示错|金额不对|扣了两次|又扣了|重复扣/u,
  // Not built or connected yet.
  /还没(铺|通|接|建|修)|未接入|没有接入|没接通|没通到|铺过来/u,
  // A supply is dirty or unstable.
  /浑浊|发黄|水质|铁锈|杂质|黄水/u,
  /电压|忽高忽低|不稳|波动|闪断/u,
];

/** A clause that says why: "因为…", "原因是…", "说是…", "以…为由", or what comes before "导致/造成/引起". */
const STATED = [
  /(?:因为|由于|原因是|原因为|原因均为|是因|说是|据说|解释是|答复是|称是)([^。!?;,]+)/gu,
  /以([^。!?;,]{1,24})为由/gu,
  /([^。!?;,]{2,30})(?:导致|造成|引起|致使|所致)/gu,
];

/** A text's cause families: their indexes into FAMILIES, ascending (empty: it names none). */
export type Causes = readonly number[];

function familiesOf(text: string, into: Set<number>): void {
  FAMILIES.forEach((family, i) => {
    if (family.test(text)) into.add(i);
  });
}

/**
 * The cause families a normalised text names: those of the clauses that state a cause when they name any, else
 * those of the whole text.
 */
export function causesOf(normalised: string): Causes {
  const found = new Set<number>();
  for (const pattern of STATED) for (const m of normalised.matchAll(pattern)) familiesOf(m[1], found);
  if (!found.size) familiesOf(normalised, found);
  return [...found].sort((a, b) => a - b);
}

/** Both name a cause and none is common to both: another cause, whatever else they share. */
export function causesDiffer(a: Causes, b: Causes): boolean {
  return a.length > 0 && b.length > 0 && !a.some((x) => b.includes(x));
}

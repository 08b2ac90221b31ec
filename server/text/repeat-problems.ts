// What is wrong at a place, for the duplicate check (server/text/repeat-features.ts). Two messages from one
// enterprise about one road, gate or park share most of their rare words (the place's name, 厂门口, 货车进出),
// so the word features scored 路面坑洼 or 路灯坏了 against an open 积水 issue on the same road at 0.99 and 0.90,
// and the second problem was merged into the first. What tells them apart is the fault itself, which a bag of
// words weighs like any other word and often cuts badly ("路面积水" → 后路/面积/水). So the faults of the things
// at a place (roads, lights, covers, pipes, power, water, gas, signals, neighbours) are read off the text as
// families, in the words enterprises and hotline operators use; a pair where both texts name a fault and no
// fault is common to both is two problems: flagged 可能重复 at most, never merged (repeat-features.ts
// neverMerge). A text naming none (a chase, a subsidy, a permit) is never judged by this.
//
// The families are the place-bound faults of the utilities and infrastructure complaints, not the files' own
// causes; a family lists the ways one fault is said ("淹", "积水", "内涝"). Pure.

/** One fault and the ways it is said (on normalised text: lower case, no spacing). */
const FAMILIES: readonly RegExp[] = [
  // Standing water: the road or the plant floods.
  /积水|内涝|水淹|被淹|淹了|就淹|淹没|淹到|排涝|倒灌|全是水|(?<!补不?)进了?水(?!标准|指标|口|管|量|水质)|浸泡/u,
  // A broken road surface.
  /坑洼|全是坑|大坑|有坑|路面\p{Script=Han}{0,2}(破损|塌陷|开裂|下沉|破烂)|塌陷|路(被)?压(坏|烂)|路烂/u,
  /路灯|灯杆/u,
  /井盖|窨井盖|盖板/u,
  /红绿灯|信号灯|交通灯|黄闪/u,
  // Power: none at all, unstable, not enough capacity, the bill.
  /停电|断电|掉电|没电|没有电|跳闸|供电中断|限电|停了\p{Script=Han}{0,3}电/u,
  /电压|忽高忽低/u,
  /增容|扩容|报装|容量/u,
  /电费|电价/u,
  // Water: none, too little pressure, dirty, the bill.
  /停水|断水|不来水|没有水/u,
  /水压/u,
  /浑浊|浑得|发黄|水质|黄水/u,
  /水费|水价|污水处理费/u,
  // A meter that counts wrong, of any supply.
  /计量不准|[水电气]表\p{Script=Han}{0,4}(不准|坏|故障|跳字|走得快)|换表/u,
  // A burst or cracked main (the water gushes out; no pressure or bill complaint).
  /爆管|(水管|管道|管子|主管|供水管)\p{Script=Han}{0,3}(爆|破裂|裂了|裂开|破了)/u,
  // Drains and sewers blocked or overflowing.
  /(污水|下水|排污)(管|道|井)|管道?堵|堵(塞|住)|(污水|脏水)\p{Script=Han}{0,6}(冒|溢|漫|倒灌)/u,
  /异味|臭|刺鼻|气味|味道|油烟/u,
  /噪音|噪声|吵|打桩|轰鸣/u,
  // Gas and steam.
  /(燃气|天然气|供气)压力|气压|(燃气|天然气)\p{Script=Han}{0,4}(不够|不足|太低|低)/u,
  // A leak is also told by its smell ("天然气管道被挖破了，能闻到气味").
  /漏气|泄漏|泄露|(燃气|天然气|煤气)[^。！？]{0,16}(气味|味道|闻到)/u,
  /蒸汽|供热|供汽/u,
  // The price of gas (a bill that is wrong is the meter's fault, below).
  /气价|(用气|燃气|天然气)价格|(燃气|天然气)\p{Script=Han}{0,4}涨价/u,
  // Lines to the outside world.
  /宽带|断网|网络|光纤/u,
  /手机信号|信号(很|特别|太)?(差|弱|不好)|没有?信号/u,
  // Getting there.
  /公交|班车|通勤车/u,
  /停车|车位|贴条|抄牌|乱停|违停/u,
  /限高/u,
  /围挡|封路|开挖|挖开/u,
  /电线杆|电杆|线杆/u,
  /滑坡|塌方|山体/u,
];

/** The fault families a normalised text names, as a bit set (0: none). */
export function problemsOf(normalised: string): number {
  let bits = 0;
  FAMILIES.forEach((family, i) => {
    if (family.test(normalised)) bits |= 1 << i;
  });
  return bits;
}

/** Both texts name a fault and none is common to both: two problems, whatever else they share. */
export function problemsDiffer(a: number, b: number): boolean {
  return a !== 0 && b !== 0 && (a & b) === 0;
}

// Which thing of a kind a complaint is about, for the duplicate check (server/text/repeat-features.ts). One
// enterprise's near misses are often one template with the thing swapped: the 排污许可证 renewal against the
// 辐射安全许可证 one, the 环评 against the 能评 of one project, the crane's inspection against the lift's, the
// warehouse's fire acceptance against the dormitory's, a 博士's talent status against a 硕士's, the loan recalled
// against its rate. Their words are nearly all shared, so the word features scored them 0.85–1.00 and they were
// merged (the sixth held-out pairs: 8 of 14 false merges). What tells them apart is one word out of a small
// closed set, which a bag of words weighs like any other.
//
// So each kind (an axis) lists its members, each in the ways it is said ("起重机", "行车", "桥吊" are one crane);
// two texts that each name a member of a kind and no member in common are about two things, unless another kind
// has a member both name: flagged 可能重复 at most, never merged (neverMerge). A text naming no member of a kind
// is never judged by it, so a chase ("那个事还没批") keeps merging. Pure; works on normalised text.

const HAN = '\\p{Script=Han}';

/** The kinds of thing, each a list of members; a member is the ways it is said. */
const AXES: readonly (readonly RegExp[])[] = [
  // Permits and licences (which one is being renewed, changed or refused).
  [
    /排污许可|排污证/u,
    /辐射安全许可/u,
    /取水许可/u,
    /排水(管网)?许可|排入排水管网许可/u,
    /安全生产许可/u,
    /(危险化学品|危化品?)经营许可/u,
    /(危险废物|危废)经营许可/u,
    /食品生产许可/u,
    /食品经营许可/u,
    /施工许可/u,
    /(工程|用地)?规划许可/u,
    /工作许可/u,
    /道路运输(经营)?许可|道路运输证/u,
    /通行证/u,
    /药品(生产|经营)许可/u,
  ],
  // Approval steps of one project.
  [
    /环评|环境影响(评价|报告)/u,
    /节能审查|能评|节能评估/u,
    /安全(预)?评价|安评/u,
    /水土保持/u,
    /施工图|图审|审图/u,
    /消防(验收|审验|查验|备案)/u,
    /规划(核实|验收)/u,
    /竣工(联合)?验收|联合验收/u,
    /人防(验收|审批)/u,
  ],
  // Buildings by use (another building of the enterprise is another problem).
  [/仓库|库房/u, /办公楼|综合楼/u, /宿舍/u, /食堂/u, /锅炉房/u, /配电(房|室)/u],
  // Special equipment.
  [
    /起重机|(?<!安全)行车(?!道|记录|安全)|天车|桥吊|龙门吊|吊车|岸吊/u,
    /锅炉(?!房)/u,
    /电梯/u,
    /叉车/u,
    /压力容器|储罐|气瓶/u,
  ],
  // Which person a talent matter is about.
  [/博士(?!后)/u, /博士后/u, /硕士|研究生/u, /本科/u, /大专|专科/u],
  // Which school a child needs.
  [/幼儿园|入园|托育/u, /小学|一年级/u, /初中|(?<!高)中学/u, /高中/u],
  // Who fined the enterprise (a penalty's credit repair, appeal or payment).
  [
    new RegExp(`(环保|生态环境|环境)${HAN}{0,6}罚`, 'u'),
    new RegExp(`(安全生产|应急管理|安监)${HAN}{0,6}罚`, 'u'),
    new RegExp(`消防${HAN}{0,6}罚`, 'u'),
    new RegExp(`(税务|税局)${HAN}{0,6}罚`, 'u'),
    new RegExp(`(市场监管|市监)${HAN}{0,6}罚`, 'u'),
  ],
  // Which refund of tax.
  [/出口退税/u, /留抵/u, /即征即退/u],
  // What is wrong with a loan: recalled or not renewed, its rate, the credit record, a guarantee, the line.
  [
    new RegExp(
      `续贷|转贷|过桥|抽贷|断贷|压贷|再贷|提前(收回|归还|还款)|(不给|不肯|不让|没法)(再)?续|续上|贷款${HAN}{0,8}到期`,
      'u',
    ),
    /利率|利息|上浮|降息/u,
    /征信|逾期记录|不良记录/u,
    /担保|代偿|连带/u,
    /授信|额度/u,
  ],
];

/** The members a normalised text names, one bit set per kind (AXES order). */
export function objectsOf(normalised: string): number[] {
  return AXES.map((members) => {
    let bits = 0;
    members.forEach((member, i) => {
      if (member.test(normalised)) bits |= 1 << i;
    });
    return bits;
  });
}

/**
 * Both texts name a thing of some kind and none in common, and no kind has a thing both name: two things of
 * one kind, whatever else the texts share.
 */
export function objectsDiffer(a: readonly number[], b: readonly number[]): boolean {
  for (let k = 0; k < a.length; k++) if (a[k] && b[k] && !(a[k] & b[k])) return true;
  return false;
}

// What reaches the dispatcher's desk (受理分办台) in the demo: messages intake cannot route on its own. Real ones
// are problems that span several departments, requests for a meeting about several things at once, and
// messages outside the hub's remit, each worded its own way (a new-user trial found the whole 待受理 queue titled
// 希望约时间面谈). Every text here names no single category clearly, so the keyword classifier stays below its
// threshold and intake leaves the issue in `received` (test/api/issues/seed.test.ts checks it).
import type { CategoryId } from '../../shared/states.ts';

/** A message a dispatcher has to read: it names several departments' business, or none clearly. */
export interface TriageText {
  title: string;
  content: string;
  /** The category a dispatcher gives it when sending it on (the lead department's). */
  category?: CategoryId;
  /** The lead unit's answer, once it has been handled. */
  reply?: string;
}

/** Out of scope (不予受理), with the reason the clerk gives; `reopen` when the enterprise later shows it is theirs. */
export interface OutOfScopeText extends TriageText {
  reject: string;
  reopen?: string;
}

export const CROSS_DEPARTMENT: readonly Required<TriageText>[] = [
  {
    title: '厂房扩建手续互为前置',
    category: 'approval',
    content:
      '扩建项目要先拿规划意见，规划部门说要先有环评批复，环评那边又要求先出规划意见，企业在两个部门之间来回跑。',
    reply: '已召集规划、生态环境部门联合会商，明确规划意见与环评并联办理，企业已同步递交材料。',
  },
  {
    title: '企业整体搬迁需要统筹协调',
    category: 'land',
    content: '企业整体搬迁到新园区，用地交付、环评、电力迁改和老员工安置都要办，希望有一个部门牵头统筹。',
    reply: '已由园区管委会牵头成立搬迁服务专班，用地交付、环评和电力迁改按计划并联推进。',
  },
  {
    title: '想约分管领导汇报项目困难',
    category: 'policy',
    content: '企业新上的智能化改造项目推进中遇到几个困难，想约分管领导当面汇报，也想听听有什么政策可以用。',
    reply: '分管领导已到企业召开现场办公会，企业提出的困难已逐项明确责任单位。',
  },
  {
    title: '园区生活配套跟不上',
    category: 'logistics',
    content: '园区没有职工食堂，停车位不够，也没有公交线路，新招的年轻员工干不了几个月就走。',
    reply: '已在园区开通通勤公交专线并新增停车位，职工食堂项目已列入园区配套计划。',
  },
  {
    title: '外资企业增资扩产需协调',
    category: 'approval',
    content: '我们是外资企业，股东计划增资扩产，外汇登记、新增厂房和能耗核算都需要和政府对接。',
    reply: '已安排外资服务专员全程代办，外汇登记已完成，新增厂房和能耗核算同步推进。',
  },
  {
    title: '订单下滑企业连续亏损求帮扶',
    category: 'finance',
    content: '受订单下滑影响企业连续两个季度亏损，希望在融资、税费和社保缴纳方面得到一些帮扶。',
    reply: '已协调银行给予续贷支持，并落实社保缓缴和相关税费减免政策。',
  },
  {
    title: '新增用能指标找不到对口部门',
    category: 'approval',
    content: '新上生产线需要新增用能指标，分别问了发改和经信，两边说法不一样，不知道该找谁。',
    reply: '已明确由发改部门受理用能指标申请，企业项目已纳入年度用能预算。',
  },
  {
    title: '厂门口道路积水无人管',
    category: 'utilities',
    content: '厂门口那段路一下雨就积水，问了市政和园区管委会，都说这段路不归自己管。',
    reply: '已明确该路段由园区管委会负责养护，排水改造工程已完工。',
  },
  {
    title: '开办职工食堂要办哪些手续',
    category: 'approval',
    content: '企业准备自己办职工食堂，想问清楚要办哪些证照、找哪几个部门，能不能一次办完。',
    reply: '已一次性告知食品经营许可等所需材料，企业已在一个窗口提交全部申请。',
  },
  {
    title: '屋顶光伏备案并网咨询',
    category: 'utilities',
    content: '企业想在厂房屋顶装分布式光伏，备案、并网和补助分别找哪里，问了几次没问明白。',
    reply: '已指导企业完成光伏项目备案和并网申请，并说明了相关补助政策。',
  },
  {
    title: '危废处置费用翻倍',
    category: 'utilities',
    content: '企业每月产生的危废，处置单位今年收费涨了一倍，周边又没有别的处置单位，希望政府帮忙想想办法。',
    reply: '已协调区内危废处置单位与企业签订长期协议，处置价格回落至合理水平。',
  },
  {
    title: '跨境电商客户数据出境咨询',
    category: 'approval',
    content: '企业做跨境电商，需要把客户订单数据传到境外的系统，不清楚要不要备案、归哪个部门管。',
    reply: '已告知数据出境安全评估和标准合同备案的办理路径，并安排专人指导。',
  },
  {
    title: '骨干员工落户购房政策咨询',
    category: 'talent',
    content: '企业几名骨干员工想在湖州落户买房，落户条件和购房资格各说各的，希望有人统一解释一下。',
    reply: '已由人才部门统一答复落户和购房资格政策，骨干员工已按规定办理落户。',
  },
  {
    title: '新落户企业希望有专人对接',
    category: 'policy',
    content: '企业刚从外地搬来，对本地的政策和办事流程都不熟悉，希望能安排一位服务专员对接。',
    reply: '已为企业指定服务专员，建立“一企一专员”联系机制。',
  },
  {
    title: '环境整治要求拆除临时钢棚',
    category: 'enforcement',
    content: '园区环境整治，综合执法要求拆除厂区里的临时钢棚，棚里堆着原料和半成品，一时找不到地方转移。',
    reply: '经协调，同意企业分批转移原料后再拆除钢棚，并帮助联系临时仓储场地。',
  },
  {
    title: '镇区共建项目费用分担不清',
    category: 'legal',
    content:
      '与镇政府合作的共建项目，合同里没写清楚，镇里和区里对各自承担多少费用说法不一，工程款一直结不了。',
    reply: '已召集镇、区两级明确费用分担比例，工程款已启动结算。',
  },
  {
    title: '签约项目半年没有进展',
    category: 'land',
    content: '去年签约的投资项目因为用地规划调整和资金没到位，已经停了半年，希望政府出面协调推进。',
    reply: '已将项目列入重点项目协调清单，规划调整已完成，项目恢复推进。',
  },
  {
    title: '外地员工看病租房难',
    category: 'talent',
    content: '企业从外地招来的员工租房贵、看病要跑市区，留不住人，希望能一揽子想想办法。',
    reply: '已协调园区蓝领公寓和社区卫生服务站，为企业外地员工提供租住和就医便利。',
  },
  {
    title: '门头招牌两个部门要求不一',
    category: 'enforcement',
    content: '店面门头招牌被综合执法要求拆除，市场监管又要求在门口亮照经营，企业不知道听谁的。',
    reply: '已统一综合执法与市场监管的口径，企业按规范设置招牌并亮照经营。',
  },
  {
    title: '建筑业资质升级核查不一致',
    category: 'approval',
    content: '企业申请建筑业资质升级，业绩认定和人员社保核查两个系统的数据对不上，来回改了好几次。',
    reply: '已协调住建与人社部门核对数据，资质升级申请已受理。',
  },
  {
    title: '想了解本地产业链配套企业',
    category: 'market',
    content: '企业计划在本地找几家零部件配套厂，离得近物流方便，希望政府帮忙介绍一下产业链上下游的企业。',
    reply: '已组织产业链供需对接会，向企业推荐本地配套企业8家。',
  },
  {
    title: '厂区周边规划变动咨询',
    category: 'land',
    content: '听说厂区北侧要建居民小区，担心以后厂房被要求搬迁，希望了解周边规划的具体情况。',
    reply: '已向企业说明厂区周边规划情况，北侧地块仍为工业用地，不影响企业生产。',
  },
  {
    title: '企业周年庆活动需要哪些报备',
    category: 'approval',
    content: '企业办二十周年庆典，计划邀请客户来厂参观，想问需要向哪些部门报备。',
    reply: '已告知企业活动报备要求，并协调属地做好现场保障。',
  },
  {
    title: '厂房抵押注销两头跑',
    category: 'land',
    content: '借款已经还清，厂房抵押注销要在银行和登记中心之间来回跑，能不能一次办好。',
    reply: '已开通抵押注销“线上办”，银行与登记中心联动办理，企业无需两头跑。',
  },
];

/** Messages outside the hub's remit, each with the reason given; some reopened once the enterprise explains. */
export const OUT_OF_SCOPE: readonly OutOfScopeText[] = [
  {
    title: '小区物业费年年上涨',
    content: '我住的小区物业费年年涨，物业服务却越来越差，希望政府管一管。',
    reject:
      '该诉求属于业主与物业服务企业之间的纠纷，不属于涉企问题受理范围，已告知向所在街道物业管理部门反映。',
  },
  {
    title: '个人公积金提取咨询',
    content: '想咨询个人住房公积金提取要准备哪些材料，网上没查到。',
    reject: '该诉求属于个人公积金业务咨询，已告知拨打12329住房公积金服务热线办理。',
  },
  {
    title: '商场买的电器不给退换',
    content: '在商场买的电器用了一周就坏了，商家不给退也不给换。',
    reject: '该诉求属于消费者权益纠纷，不属于涉企问题受理范围，已告知通过12315平台投诉。',
  },
  {
    title: '管理软件推广',
    content: '我司专业提供企业管理软件、网站建设服务，欢迎各单位来电洽谈合作。',
    reject: '来信为商业推广信息，不属于涉企问题，不予受理。',
  },
  {
    title: '楼上装修噪声太大',
    content: '楼上邻居装修每天早上七点就开始打墙，噪声太大，影响休息。',
    reject: '该诉求属于生活噪声纠纷，不属于涉企问题受理范围，已告知向所在社区或110反映。',
  },
  {
    title: '私家车违停抓拍申诉',
    content: '我的私家车在路口被抓拍违停，当时只是临时下车买药，希望撤销。',
    reject: '该诉求属于个人交通违法处理事项，已告知通过“交管12123”申请复核。',
  },
  {
    title: '希望政府催法院快点判',
    content: '与客户的货款纠纷已经起诉到法院，希望政府帮忙让法院快点判下来。',
    reject: '该纠纷已由人民法院依法受理，行政机关不宜干预司法审判，已告知企业依诉讼程序主张权利。',
  },
  {
    title: '员工宿舍旁垃圾站气味大',
    category: 'utilities',
    content: '宿舍楼旁边的垃圾中转站气味很大，夏天窗户都不敢开。',
    reject: '来电未说明企业信息，按生活环境投诉转社区处理，不属于涉企问题受理范围。',
    reopen: '经核实反映人为企业负责人，垃圾站紧邻企业员工宿舍，影响企业用工，确属涉企问题。',
    reply: '已协调环卫部门对垃圾中转站进行除臭改造，并调整清运时间。',
  },
  {
    title: '门口的路一直没修好',
    category: 'logistics',
    content: '门口那条路挖开三个月了一直没修好，进出很不方便。',
    reject: '来电未说明企业信息，按个人出行诉求转属地处理，不属于涉企问题受理范围。',
    reopen: '企业补充说明该路段是厂区唯一的进出通道，确属涉企问题。',
    reply: '已督促施工单位加快进度，道路已恢复通行。',
  },
  {
    title: '公交站点被取消',
    category: 'logistics',
    content: '小区门口的公交站取消了，现在上下班要多走二十分钟。',
    reject: '该诉求属于个人出行诉求，不属于涉企问题受理范围，已告知向公交公司反映。',
    reopen: '企业补充说明该站点是园区员工上下班的主要站点，确属涉企问题。',
    reply: '已协调公交公司恢复该站点，并在早晚高峰加密班次。',
  },
  {
    title: '想找一份开叉车的工作',
    content: '我有叉车证，想找一份开叉车的工作，请问哪里有招人的。',
    reject: '该诉求属于个人求职咨询，不属于涉企问题受理范围，已告知通过公共就业服务平台求职。',
  },
  {
    title: '朋友借钱不还',
    content: '朋友借了我五万块钱，说好半年还，现在电话都不接了，能不能帮我要回来。',
    reject: '该诉求属于个人之间的民间借贷纠纷，已告知可向人民法院起诉。',
  },
  {
    title: '住院医保报销比例咨询',
    content: '我母亲住院的医保报销比例怎么算，想咨询一下。',
    reject: '该诉求属于个人医保业务咨询，已告知拨打医保服务热线咨询。',
  },
  {
    title: '邻居家的狗整夜叫',
    content: '邻居家的狗每天晚上叫个不停，跟他说过也没用。',
    reject: '该诉求属于邻里纠纷，不属于涉企问题受理范围，已告知向所在社区反映调解。',
  },
  {
    title: '房东不退租房押金',
    content: '租的房子合同结束了，房东找各种理由不退押金。',
    reject: '该诉求属于个人房屋租赁纠纷，已告知向所在街道人民调解委员会申请调解。',
  },
  {
    title: '门口的路灯坏了',
    category: 'utilities',
    content: '门口的路灯坏了一个多月，晚上下班路上黑乎乎的。',
    reject: '来电未说明企业信息，按市政设施报修转属地处理，不属于涉企问题受理范围。',
    reopen: '企业补充说明该路段是园区夜班员工上下班的必经之路，确属涉企问题。',
    reply: '路灯已全部修复，并纳入园区路灯日常巡查。',
  },
  {
    title: '工地施工到半夜',
    category: 'enforcement',
    content: '旁边工地天天晚上施工到半夜，吵得人睡不着。',
    reject: '该诉求属于生活噪声投诉，不属于涉企问题受理范围，已告知向综合执法部门反映。',
    reopen: '企业补充说明受影响的是企业员工宿舍，夜班员工白天无法休息，确属涉企问题。',
    reply: '综合执法部门已责令施工单位夜间停止高噪声作业，并加强巡查。',
  },
  {
    title: '楼下没有电动车充电的地方',
    category: 'utilities',
    content: '楼下没有电动车充电的地方，大家只能从楼上拉电线下来充。',
    reject: '该诉求属于居民小区设施问题，不属于涉企问题受理范围，已告知向物业或社区反映。',
    reopen: '企业补充说明该楼为企业员工宿舍，私拉电线存在消防隐患，确属涉企问题。',
    reply: '已协调在员工宿舍楼下建设集中充电棚，充电桩已投入使用。',
  },
];

// The particulars and cues the duplicate check compares (server/text/repeat-entities.ts, repeat-identifiers.ts).
import { expect } from 'chai';
import { cuesOf, matchParticulars, numbersIn, particularsOf } from '../../../server/text/repeat-entities.ts';
import { identifiersOf } from '../../../server/text/repeat-identifiers.ts';
import { normaliseText } from '../../../server/text/segment.ts';

const of = (text: string) => particularsOf(normaliseText(text));
const match = (a: string, b: string) => matchParticulars(of(a), of(b));

describe('text core: particulars of a complaint', () => {
  it('reads amounts written in digits or Chinese numerals as the same number', () => {
    expect([...numbersIn('补助46万元')]).to.deep.equal([460000]);
    expect([...numbersIn('四十六万')]).to.deep.equal([460000]);
    // One Chinese digit before 万 or 亿 is an amount too; alone it is no amount.
    expect([...numbersIn('每个月多出八万来')]).to.deep.equal([80000]);
    expect([...numbersIn('投资三亿，三个车间')]).to.deep.equal([300000000]);
    // How long something has lasted is no particular: a chase names a later span than its report.
    expect([...numbersIn('阻工已经停了快二十天了，十几天没人管，拖了两个多月')]).to.deep.equal([]);
    expect(match('在建厂房被阻工，停滞十天', '阻工还没解决，已经停了快二十天了').numbersDiffer).to.equal(
      false,
    );
    expect([...numbersIn('10月份的电费多收了2万，晚上十点以后')]).to.have.members([10, 20000]);
    expect(match('欠款三百二十万', '欠我们货款320万').agree).to.equal(true);
  });

  it('lets a rounded amount agree with the exact figure inside it, and no other', () => {
    // A WeChat line rounds what its letter counts: these agree rather than differ.
    expect(match('街道欠我们三百多万，一年多了', '工程款约320万元至今被拖欠').agree).to.equal(true);
    expect(match('二三月份的两百多万还没退下来', '出口退税合计约210万元').numbersDiffer).to.equal(false);
    expect(match('有十来个老员工小孩要上学', '12名骨干员工子女需就读小学').agree).to.equal(true);
    expect(match('每个月多交三万多', '每月多支出约3.5万元').agree).to.equal(true);
    // The spoken next digit after 万: 4万6 is 46,000.
    expect([...numbersIn('创新券4万6的钱')]).to.deep.equal([46000]);
    expect(match('创新券4万6的钱还没到账', '检测费用4.6万元').agree).to.equal(true);
    expect([...numbersIn('配套费交了四十八万六，不能退')]).to.deep.equal([486000]);
    expect([...numbersIn('技改补助46万一直没到账')]).to.deep.equal([460000]);
    expect([...numbersIn('2万3月份又收了')]).to.deep.equal([20000]);
    // Outside the rounded range it is another amount.
    expect(match('欠我们三百多万', '欠款约420万元').numbersDiffer).to.equal(true);
    expect(match('两百多万的退税', '95万元的退税')).to.include({ agree: false, numbersDiffer: true });
    expect(match('补助86万', '补助80多万').agree).to.equal(true);
    expect(match('补助96万', '补助80多万').numbersDiffer).to.equal(true);
  });

  it('reads number plates with or without the province and separators', () => {
    expect([...of('车牌浙E·5T876被扣').codes]).to.include('e5t876');
    expect(match('我们的车浙E·5T876在洪桥被扣', '货车（车牌浙E5T876）被扣押').agree).to.equal(true);
    const two = match('浙E·3K521的货车被扣了', '另一辆浙E·7M208的车今天被查');
    expect(two).to.include({ agree: false, conflict: true });
  });

  it('reads dates in digits or numerals, and years', () => {
    expect(match('3月5日因检修停电', '三月五号那次停电').agree).to.equal(true);
    expect([...of('2023年度技改补助').dates]).to.deep.equal([2023]);
    expect(match('2023年度技改补助没到', '2024年度数字化补助没到').conflict).to.equal(true);
  });

  it('reads numbered buildings and lines: another building is another problem', () => {
    expect([...of('2号楼的电梯困人').places]).to.deep.equal(['2楼']);
    expect([...of('三号线的环评').places]).to.deep.equal(['3线']);
    expect(match('2号楼的电梯困人了', '6号楼的电梯检验合格证过期了').conflict).to.equal(true);
    expect(match('A栋的防雷检测过期', 'A栋厂房验收').agree).to.equal(true);
    // A building named by its use and number is that numbered building.
    expect([...of('6号宿舍楼外墙脱落').places]).to.deep.equal(['6楼']);
    expect(match('6号楼的员工宿舍外墙保温层脱落', '6号宿舍楼外墙保温层被吹掉').conflict).to.equal(false);
    expect(match('2号办公楼漏水', '5号楼漏水').conflict).to.equal(true);
  });

  it('reads the hotline number as no amount', () => {
    expect([...numbersIn('【12345工单】诉求人反映：补助30万未到账')]).to.deep.equal([300000]);
    expect(match('打12345反映过的那30万补助还没到', '补助30万元至今未拨付').numbersDiffer).to.equal(false);
    expect(match('【12345】来电人称 欠款40余天未付', '欠款8万').numbersDiffer).to.equal(false);
  });

  it('reads the side of the site and a park grid road: another gate or road is another problem', () => {
    expect(match('练市厂北门那边的雨水管也堵了', '厂区东门外的雨水管堵塞').conflict).to.equal(true);
    expect(match('厂区西侧那段护岸也裂了', '厂区东侧河道护岸坍塌').conflict).to.equal(true);
    expect(match('东边大门口一下雨就积水', '东门外雨水管堵塞').conflict).to.equal(false);
    expect([...of('西门子的设备坏了').places]).to.deep.equal([]);
    expect(match('园区纬五路的路灯也坏了', '园区经三路路灯损坏').conflict).to.equal(true);
    expect(match('经3路的路灯还是不亮', '园区经三路路灯损坏').agree).to.equal(true);
  });

  it('reads months without a day, but only where no full date is named', () => {
    expect([...of('去年12月的发票，今年3月份又有一张').months]).to.have.members([12, 3]);
    expect([...of('报送已两月有余，三个月了').months]).to.deep.equal([]);
    expect(match('5月份的电费又高出一大截', '今年3月份的电费单高出近一倍').conflict).to.equal(true);
    expect(match('3月份的电费还没核查', '3月份电费较往月增加近一倍').agree).to.equal(true);
    // A full date decides: 3月5日 against 3月20日 is no agreement on 3月.
    expect(match('3月5日停电', '3月20日停电').conflict).to.equal(true);
  });

  it("reads a project's yearly capacity as its name", () => {
    expect([...of('年产5万吨再生铝项目').projects]).to.deep.equal(['50000吨']);
    expect(match('年产五万吨的那个项目', '年产5万吨项目环评').agree).to.equal(true);
    expect(match('今年新上的年产2万套减速机技改项目', '年产8000台数控机床技改项目').conflict).to.equal(true);
  });

  it('takes a plate or number the new message adds as another thing, one it leaves out as none', () => {
    const added = match(
      '新买的冷藏车浙E·C7M09又被拒了，浙E·A3K21那辆已经办下来了',
      '货车浙E·A3K21通行证被拒',
    );
    expect(added.conflict).to.equal(true);
    expect(match('浙E·A3K21还是办不下来', '浙E·A3K21和浙E·B5K66两辆车都被拒').conflict).to.equal(false);
  });

  it('reads the start of a longer code after a character as no plate', () => {
    expect([...of('关于RD2025006研发项目加计扣除审核的情况反映').codes]).to.deep.equal(['rd2025006']);
    expect(match('关于RD2025006研发项目加计扣除的反映', 'RD2025-006项目材料已补交三周').conflict).to.equal(
      false,
    );
  });

  it('sees no conflict when only one text names a particular', () => {
    expect(match('电梯困人了，维保不来', '2号楼电梯困人那次之后维保没来')).to.deep.equal({
      agree: false,
      conflict: false,
      numbersDiffer: false,
      identifiersDiffer: false,
    });
  });

  const ids = (text: string) =>
    [...identifiersOf(normaliseText(text))].map(
      ([kind, list]) => `${kind}:${list.map((x) => x.n).join(',')}`,
    );
  const idsDiffer = (a: string, b: string) => match(a, b).identifiersDiffer;

  it('reads document numbers, codes and numbered names in their several forms as one identifier', () => {
    expect(ids('湖土储〔2025〕12号')).to.deep.equal(['号:12']);
    expect(ids('第0012345号那本')).to.deep.equal(['号:12345']);
    expect(ids('项目编号2024-032号')).to.deep.equal(['项目:32']);
    expect(ids('ZL-2024-07地块和A12地块')).to.deep.equal(['地块:7,12']);
    expect(ids('2#车间、第三批、二季度、一号生产线、4号泊位、三标段、二期')).to.have.members([
      '车间:2',
      '批:3',
      '季度:2',
      '线:1',
      '泊位:4',
      '标段:3',
      '期:2',
    ]);
    // Not identifiers: a date, the shop floor, a phone number, a building (a particular of its own).
    expect(ids('8月12号，一线工人，联系电话13800001111，3号楼')).to.deep.equal([]);
    // Each form agrees with the others.
    expect(idsDiffer('按湖土储〔2025〕12号文件收储', '湖土储（2025）12号那个文件')).to.equal(false);
    expect(idsDiffer('合同编号HZCG-2024-156', '合同号156那个')).to.equal(false);
    expect(idsDiffer('ZL-2024-07地块', '那块07地块')).to.equal(false);
    expect(idsDiffer('2号车间喷淋', '关于2#车间消防复检，二号车间已整改')).to.equal(false);
    expect(idsDiffer('第3标段施工单位', '三标段拖欠货款')).to.equal(false);
    expect(idsDiffer('第二季度稳岗返还', '二季度那笔')).to.equal(false);
    expect(idsDiffer('1号生产线的RTO', '一号线那台RTO')).to.equal(false);
    expect(idsDiffer('长政〔2024〕15号文件的奖励', '那个15号文件的奖励')).to.equal(false);
  });

  it('takes one template with another identifier of the same kind as another thing, whatever else agrees', () => {
    // The year and the amount agree: the conflict of places alone would be cancelled, this is not.
    const phase = match('2025年三期厂房专线报装，投资80万', '2025年二期厂房专线报装，投资80万');
    expect(phase).to.include({ agree: true, conflict: false, identifiersDiffer: true });
    expect(idsDiffer('湖土储〔2025〕19号文件收储的', '湖土储〔2025〕12号收储地块')).to.equal(true);
    expect(idsDiffer('合同编号HZCG-2024-203', '合同编号HZCG-2024-156')).to.equal(true);
    expect(idsDiffer('另一个技改项目，编号2024-047号', '技改项目（项目编号2024-032号）')).to.equal(true);
    expect(idsDiffer('2025年第三批培育库', '2025年第二批培育库')).to.equal(true);
    expect(idsDiffer('发票号码04522163', '发票号码04521877')).to.equal(true);
    expect(idsDiffer('BH-06地块西侧', 'BH-03地块西侧')).to.equal(true);
    expect(idsDiffer('5号仓库屋顶', '3号仓库屋顶')).to.equal(true);
  });

  it('judges no identifier a text leaves out, nor one of another kind', () => {
    expect(idsDiffer('收储补偿款交地三个月了还没给', '湖土储〔2025〕12号收储地块')).to.equal(false);
    expect(idsDiffer('发票号码04521877被锁', '合同号156的尾款')).to.equal(false);
  });

  it('tells a chase from a first report, and "another one" wording', () => {
    expect(cuesOf('五天前打12345反映的排洪沟堵塞还没人来清').chases).to.equal(true);
    expect(cuesOf('上周发函问的亩均奖励，再催一下').chases).to.equal(true);
    expect(cuesOf('厂区外的排洪沟被建筑垃圾堵住，请求清理').chases).to.equal(false);
    // A chase told as the state of a known matter, without "反映过" or "再催".
    expect(cuesOf('滑坡的事十天了还没人来治理，这两天又要下大雨').chases).to.equal(true);
    expect(cuesOf('停电那事，供电所说要查原因，到现在一个说法都没有').chases).to.equal(true);
    expect(cuesOf('第二路电源的申请三天了还没来勘查').chases).to.equal(true);
    expect(cuesOf('增容那个申请问一下进度').chases).to.equal(true);
    // Other ways a 催办 is said: an earlier report named, the count of calls, a question about the outcome, the
    // matter's state, or a short line opening with the known thing's state going on.
    expect(cuesOf('之前反映的宿舍热水，现在怎么处理的').chases).to.equal(true);
    expect(cuesOf('第三次打电话问叉车证复审的事了').chases).to.equal(true);
    expect(cuesOf('排污许可变更批了没有？环保又来查了').chases).to.equal(true);
    expect(cuesOf('污水井那个事一个礼拜了，一点动静都没有').chases).to.equal(true);
    expect(cuesOf('围墙的问题还没有解决，这周又倒了一段').chases).to.equal(true);
    expect(cuesOf('消防通道还没清，今天又被货车堵了').chases).to.equal(true);
    expect(cuesOf('厂区道路昨晚被渣土车压坏了，货车进不来，请尽快修复').chases).to.equal(false);
    // A first report that something has not been restored yet is no chase.
    expect(cuesOf('园区昨晚突然停电，生产线全部停产，到现在还没恢复供电').chases).to.equal(false);
    expect(cuesOf('出口退税申报了五十多天还没到账，资金很紧张').chases).to.equal(false);
    // An enquiry about starting something, not a complaint's 怎么办.
    expect(cuesOf('又招了两个硕士 人才认定怎么申请').asksHow).to.equal(true);
    expect(cuesOf('换证要准备什么').asksHow).to.equal(true);
    expect(cuesOf('住建说交了就不能退，怎么办？')).to.include({ asksHow: false, asks: true });
    expect(cuesOf('兑付申请已提交半年未到账').asks).to.equal(false);
    expect(cuesOf('又停电了，这次是变压器烧了').another).to.equal(true);
    expect(cuesOf('园区停电了，全厂停工').another).to.equal(false);
  });
});

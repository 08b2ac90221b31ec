// Default synonym groups of the text core (server/text/synonyms.ts): words enterprises, hotline operators and
// formal letters use for one thing. In each group the first word is the one the others are read as, so "交通信号灯
// 故障" in a 12345 work order and "红绿灯坏了" in a WeChat line share their words, for the duplicate check and the
// class-problem clustering (not the category classifier, whose model learns its own words). Admins replace the
// list in 系统管理 → 类别与关键词 (setting `classify.synonyms`); these are only the starting point. Written from
// the vocabulary of government-complaint work, not read off any labelled set.
export const DEFAULT_SYNONYMS: readonly (readonly string[])[] = Object.freeze([
  ['红绿灯', '交通信号灯', '信号灯', '交通灯'],
  ['停电', '断电', '掉电', '没电了'],
  ['停水', '断水', '没水了', '不来水'],
  ['滑坡', '塌方', '山体滑坡', '边坡垮塌'],
  ['欠薪', '拖欠工资', '欠工资', '工资拖欠', '工资发不出'],
  ['断网', '网络中断', '宽带中断', '网断了', '没网'],
  ['电压不稳', '电压波动', '电压忽高忽低', '电一会高一会低'],
  ['水压不足', '水压低', '水压不够'],
  ['信号差', '信号不好', '信号弱', '没信号'],
  ['积水', '内涝', '水淹', '被淹'],
  ['噪音', '噪声'],
  ['臭味', '异味'],
  ['天然气', '燃气'],
  ['蒸汽', '供汽'],
  ['不动产权证', '不动产证', '产权证', '房产证'],
  ['排污许可证', '排污证', '排污许可'],
  ['环评', '环境影响评价'],
  ['社保', '社会保险'],
  ['公积金', '住房公积金'],
  ['高企', '高新技术企业'],
  ['货车', '大货车', '卡车', '重型货车', '重卡', '货运车辆'],
  ['治超', '超限超载检查', '超载检查'],
  ['招工难', '招不到人', '用工荒', '缺工'],
  ['拖欠货款', '欠货款', '货款拖欠'],
  ['补贴', '补助', '奖补'],
  ['未到账', '没到账', '未拨付', '没拨付', '还没拨', '未兑现', '没兑现', '没兑付', '未兑付'],
  ['抽贷', '断贷', '压贷'],
  ['续贷', '无还本续贷'],
  ['过桥资金', '转贷资金'],
  ['查封', '贴封条', '贴了封条'],
  ['罚款', '罚单'],
  ['挖断', '挖坏'],
  ['公交', '公交车', '公交线路'],
]);

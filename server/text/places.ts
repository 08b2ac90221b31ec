// Place names of Huzhou (湖州): the city, its districts and counties, their towns, townships and sub-districts,
// and the short forms people write (双林 for 双林镇). The clustering (cluster.ts) reads a text without them.
//
// Why: a near miss of a class problem is usually from the same town or park as the class and differs only in
// the cause (双林 steam pressure against 双林's water cut or sewage fee); in a bag of words the town name, its
// character bigrams and the bigrams across its edges (德清港 → 清港) outweigh the one or two words of the cause,
// so the near miss joins. The county is a field of its own (ClusterItem.region, a small bonus), so the words
// only counted the place a second time. This is the administrative gazetteer, not words of any corpus file;
// short forms that are also common words (和平, 千金, 新安, 水口, 龙山, 山川, 小浦) are matched only with
// their suffix.

const FULL = [
  '湖州市',
  '吴兴区',
  '南浔区',
  '德清县',
  '长兴县',
  '安吉县',
  '南太湖新区',
  // 吴兴
  '织里镇',
  '八里店镇',
  '埭溪镇',
  '妙西镇',
  '东林镇',
  '道场乡',
  '环渚街道',
  '爱山街道',
  '月河街道',
  '龙泉街道',
  '飞英街道',
  '朝阳街道',
  // 南浔
  '南浔镇',
  '练市镇',
  '双林镇',
  '菱湖镇',
  '和孚镇',
  '千金镇',
  '善琏镇',
  '石淙镇',
  '旧馆街道',
  // 德清
  '武康街道',
  '新市镇',
  '乾元镇',
  '洛舍镇',
  '雷甸镇',
  '钟管镇',
  '禹越镇',
  '新安镇',
  '莫干山镇',
  '阜溪街道',
  '舞阳街道',
  '下渚湖街道',
  // 长兴
  '雉城街道',
  '和平镇',
  '泗安镇',
  '煤山镇',
  '李家巷镇',
  '夹浦镇',
  '洪桥镇',
  '林城镇',
  '虹星桥镇',
  '小浦镇',
  '吕山乡',
  '水口乡',
  '画溪街道',
  '太湖街道',
  '龙山街道',
  // 安吉
  '递铺街道',
  '孝丰镇',
  '天荒坪镇',
  '溪龙乡',
  '天子湖镇',
  '梅溪镇',
  '报福镇',
  '章村镇',
  '杭垓镇',
  '鄣吴镇',
  '上墅乡',
  '山川乡',
  '灵峰街道',
  '孝源街道',
  '昌硕街道',
];

/** Short forms that are also everyday words: only their full names count as places. */
const COMMON_WORDS = new Set([
  '和平',
  '千金',
  '新安',
  '水口',
  '龙山',
  '山川',
  '小浦',
  '太湖',
  '朝阳',
  '飞英',
]);

const SUFFIX = /(街道|镇|乡|县|区|市)$/;

/** Every place name and short form, longest first (so 南太湖新区 is read before 新区 and 南浔镇 before 南浔). */
export const PLACE_NAMES: readonly string[] = (() => {
  const names = new Set<string>([...FULL, '湖州', '南太湖', '新区']);
  for (const name of FULL) {
    const short = name.replace(SUFFIX, '');
    if (short.length >= 2 && !COMMON_WORDS.has(short)) names.add(short);
  }
  return [...names].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
})();

const PLACE_PATTERN = new RegExp(PLACE_NAMES.join('|'), 'g');

/** The text with every place name replaced by a comma, so no word or character bigram holds or spans one. */
export function withoutPlaces(text: string): string {
  return text.replace(PLACE_PATTERN, '，');
}

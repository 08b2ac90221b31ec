// Place words of Huzhou (counties, towns and streets of server/seed/enterprises.seed.ts and their neighbours)
// and the generic words for a place (园区, 开发区, 镇…). Two complaints that share only where they happen are
// not about the same problem: the class-problem clustering compares texts on their other words too
// (cluster.ts, problem words). Pure data.

/** A term that names a place, or is part of a place name (jieba cuts 李家巷镇 as 李家巷 + 镇). */
export const PLACE_WORD =
  /织里|八里店|埭溪|妙西|爱山|月河|南浔|练市|双林|菱湖|和孚|善琏|旧馆|千金|石淙|武康|新市|乾元|洛舍|雷甸|阜溪|钟管|禹越|新安|莫干山|雉城|煤山|和平|泗安|李家巷|太湖|夹浦|洪桥|林城|虹星桥|吕山|画溪|水口|小浦|递铺|孝丰|天荒坪|溪龙|天子湖|梅溪|鄣吴|杭垓|报福|章村|上墅|灵峰|吴兴|德清|长兴|安吉|湖州|新区|园区|工业|开发区|街道|镇|县|区|乡|村/u;

/** Every place word of a text (for String.matchAll). */
export const PLACE_WORDS = new RegExp(PLACE_WORD.source, 'gu');

/** Whether a vocabulary term (a word, or a `#` character pair) names or is part of a place. */
export const isPlaceTerm = (term: string): boolean => PLACE_WORD.test(term);

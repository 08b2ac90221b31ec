// The promote dialog's default class title (a pure function of the representative issue's title and words):
// a title names the problem in an enterprise's own words, without who is speaking.

const TITLE_CLAUSE = 20;
const MIN_TITLE = 10;
/**
 * Lead-ins that say who speaks, not what the problem is (「来电人反映，…」「您好，…」), and the speaker as the
 * subject (「我们在织里工业园区…」): a class title names the problem, not one enterprise.
 */
const LEAD_IN =
  /^(?:(?:您好|你好)[，,！!。\s]*)?(?:(?:来电人|来电|该企业|企业|我司|我们|我)?(?:反映|反应|表示|称)[：:，,\s]*)?(?:(?:我们公司|我公司|我们厂|我厂|本公司|我们|我司)(?:这边|在|位于)?)?/;

/**
 * The promote dialog's default title: the representative's own title, or (a title cut from the content only
 * repeats it) the first clause of its content, so the leader starts from words an enterprise used.
 */
export function suggestedTitle(issue: { title?: string | null; content: string }): string {
  const title = issue.title?.trim();
  if (title && !issue.content.startsWith(title)) return title.slice(0, 100);
  const text = issue.content.trim().replace(LEAD_IN, '');
  // Clauses until the title says something (a place alone, 我们在织里工业园区, is not yet the problem).
  let opening = '';
  for (const clause of text.split(/[，。！？；,.!?;\n]/).map((c) => c.trim())) {
    if (opening.length >= MIN_TITLE) break;
    opening += clause;
  }
  return (opening || text).slice(0, TITLE_CLAUSE);
}

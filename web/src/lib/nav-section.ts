// Which item of the top navigation a screen belongs to. An issue's page (and 新建工单) is reached from several
// screens — 工作台, 受理分办, 驾驶舱, 工单查询 — so it belongs to the one it was opened from; opened from nowhere
// known (a pasted link) it highlights none rather than claim one.

/** Screens shown as part of another item's: the printable monthly report is the dashboard's, a plaque 企业管理's. */
const PART_OF: Readonly<Record<string, string>> = { monthly: 'dashboard', plaque: 'enterprises' };
/** Screens that belong to whichever screen opened them. */
const OPENED_FROM_ELSEWHERE = new Set(['issue', 'create', 'issueImport']);

export const opensFromElsewhere = (name: string | null | undefined) => OPENED_FROM_ELSEWHERE.has(name ?? '');

/** The navigation item of a screen that is its own (or part of another's); null for an issue's page. */
export function ownSection(name: string | null | undefined): string | null {
  if (!name || opensFromElsewhere(name)) return null;
  return PART_OF[name] ?? name;
}

/**
 * Where an issue's page was opened from, after moving `from` → `to`: the screen left, or, from one issue to
 * another (a similar issue, the main issue of a merge), still the screen the first was opened from.
 */
export function originAfter(
  from: string | null | undefined,
  to: string | null | undefined,
  origin: string | null,
): string | null {
  if (!opensFromElsewhere(to)) return null;
  return opensFromElsewhere(from) ? origin : ownSection(from);
}

/** The item to highlight: the screen's own, or for an issue's page the one it was opened from, if shown. */
export function activeSection(
  name: string | null | undefined,
  origin: string | null,
  shown: readonly string[],
): string | null {
  const section = opensFromElsewhere(name) ? origin : ownSection(name);
  return section && shown.includes(section) ? section : null;
}

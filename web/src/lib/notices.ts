// Which notices opening one answers: itself, and the other unread notices of its issue (the sweep's steps for
// one overdue issue arrive together: 红灯, 督办, 通报…; opening the issue answers them all), and the bell's list
// with one line per issue, its newest notice, naming the others. Pure.
export interface Notice {
  id: string;
  issueId?: string | null;
  read?: boolean;
}

export function readTogether<N extends Notice>(items: readonly N[], id: string): N[] {
  const opened = items.find((n) => n.id === id);
  if (!opened || opened.read) return [];
  return items.filter((n) => !n.read && (n.id === id || (!!opened.issueId && n.issueId === opened.issueId)));
}

/** One line of the bell's list: an issue's newest notice, and its older ones in the list. */
export interface NoticeGroup<N> {
  head: N;
  more: N[];
  /** Any of them unread. */
  unread: boolean;
}

/** The notices (newest first) as one group per issue, in the order of each issue's newest notice. */
export function groupByIssue<N extends Notice>(items: readonly N[]): NoticeGroup<N>[] {
  const groups: NoticeGroup<N>[] = [];
  const byIssue = new Map<string, NoticeGroup<N>>();
  for (const n of items) {
    const same = n.issueId ? byIssue.get(n.issueId) : undefined;
    if (same) {
      same.more.push(n);
      same.unread ||= !n.read;
      continue;
    }
    const group = { head: n, more: [], unread: !n.read };
    groups.push(group);
    if (n.issueId) byIssue.set(n.issueId, group);
  }
  return groups;
}

/** A notice's title without the issue number it ends with (红灯预警 HZ-2026-000123 → 红灯预警). */
export const eventOf = (title: string): string => title.replace(/\s*HZ-\d{4}-\d{6}$/, '');

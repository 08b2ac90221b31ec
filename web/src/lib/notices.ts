// Which notices opening one answers: itself, and the other unread notices of its issue (the sweep's steps for
// one overdue issue arrive together: 红灯, 督办, 通报…; opening the issue answers them all). Pure.
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

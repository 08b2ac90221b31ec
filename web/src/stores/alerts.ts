// What tells a user something happened elsewhere: the unread count in the header and a toast. With the
// notifications endpoint (GET /api/notifications → {items, unread}) the count is the server's; without it
// (404) the count is what this tab heard live since it opened. Toasts come from `notification` events, and for
// a unit's staff from `issue:changed`: a new issue for the unit, or a light turning red or overdue.
import { ElNotification } from 'element-plus';
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api, optional } from '../lib/api.ts';
import { onIssueChanged, onNotification, type IssueChanged } from '../lib/live.ts';
import { readTogether } from '../lib/notices.ts';
import { useSession } from './session.ts';

export interface AppNotification {
  id: string;
  title: string;
  body?: string;
  /** The notifications endpoint's name for the body. */
  text?: string;
  issueId?: string | null;
  read?: boolean;
  createdAt: string;
}

const UNIT_ROLES = new Set(['handler', 'unit_head']);

export const useAlerts = defineStore('alerts', () => {
  const unread = ref(0);
  const items = ref<AppNotification[]>([]);
  /** null: not loaded; false: the server has no notifications (功能未启用). */
  const serverSide = ref<boolean | null>(null);
  const lastSeen = new Map<string, { state: string; warning: string }>();

  async function load(): Promise<void> {
    try {
      const res = await optional<{ items: AppNotification[]; unread?: number }>('/notifications', {
        limit: 20,
      });
      serverSide.value = !!res;
      if (res) {
        items.value = res.items.map((n) => ({ ...n, body: n.body ?? n.text }));
        unread.value = res.unread ?? res.items.filter((n) => !n.read).length;
      }
    } catch {
      serverSide.value = false;
    }
  }

  async function markAllRead(): Promise<void> {
    if (serverSide.value) await api.post('/notifications/read', { all: true }).catch(() => undefined);
    unread.value = 0;
    items.value = items.value.map((n) => ({ ...n, read: true }));
  }

  /** One notice opened: it is read, with the other unread notices of its issue (lib/notices.ts). */
  async function markRead(id: string): Promise<void> {
    const same = readTogether(items.value, id);
    if (!same.length) return;
    for (const x of same) x.read = true;
    unread.value = Math.max(0, unread.value - same.length);
    const ids = same.map((x) => x.id);
    if (serverSide.value) await api.post('/notifications/read', { ids }).catch(() => undefined);
  }

  function push(n: AppNotification): void {
    items.value = [n, ...items.value].slice(0, 50);
    unread.value += 1;
    ElNotification({
      title: n.title,
      message: n.body ?? '',
      type: 'info',
      duration: 6000,
      position: 'bottom-right',
    });
  }

  function heardChange(change: IssueChanged): void {
    const session = useSession();
    const user = session.user;
    const before = lastSeen.get(change.id);
    lastSeen.set(change.id, { state: change.state, warning: change.warning });
    if (!user || !UNIT_ROLES.has(user.role) || change.unitId !== user.unitId) return;
    const at = new Date().toISOString();
    if (change.state === 'dispatched' && before?.state !== 'dispatched')
      push({
        id: `new-${change.id}-${change.version}`,
        title: '新工单待签收',
        body: `${change.number} 已分派到本单位`,
        issueId: change.id,
        createdAt: at,
      });
    else if (
      (change.warning === 'red' || change.warning === 'overdue') &&
      before &&
      before.warning !== change.warning
    )
      push({
        id: `warn-${change.id}-${change.version}`,
        title: change.warning === 'red' ? '工单亮红灯' : '工单已超期',
        body: `${change.number} 请尽快办理`,
        issueId: change.id,
        createdAt: at,
      });
  }

  function start(): void {
    onIssueChanged(heardChange);
    onNotification((payload) => {
      const n = payload as Partial<AppNotification>;
      if (n && typeof n.title === 'string')
        push({
          id: n.id ?? String(Date.now()),
          title: n.title,
          body: n.body ?? n.text,
          issueId: n.issueId ?? null,
          createdAt: n.createdAt ?? new Date().toISOString(),
        });
    });
  }

  function reset(): void {
    unread.value = 0;
    items.value = [];
    serverSide.value = null;
    lastSeen.clear();
  }

  return { unread, items, serverSide, load, markAllRead, markRead, start, reset };
});

// A centre queue worked card by card (QueueActionPanel, ApprovalPanel): the queue's issues in full, kept live,
// and the action dialog a card opens, which reloads the queue and tells the desk when the action is done.
import { ElMessage } from 'element-plus';
import { onMounted, ref } from 'vue';
import { ACTION_LABELS, type ActionId } from '../../../shared/lifecycle/actions.ts';
import { api } from './api.ts';
import { useLiveRefresh } from './live.ts';
import { loadQueue } from './queues.ts';
import type { IssueDetail } from './types.ts';
import { useLoad } from './use-load.ts';

export function useQueueCards(queue: string, changed: () => void) {
  const rows = ref<IssueDetail[]>([]);
  const open = ref<{ id: string; action: ActionId } | null>(null);
  const { loading, error, load } = useLoad(async () => {
    const list = await loadQueue(queue, null);
    rows.value = await Promise.all(list.items.map((s) => api.get<IssueDetail>(`/issues/${s.id}`)));
  }, true);

  function done(updated: IssueDetail) {
    const label = open.value ? ACTION_LABELS[open.value.action] : '';
    open.value = null;
    ElMessage.success(`${updated.number}「${label}」已完成`);
    void load();
    changed();
  }

  useLiveRefresh(() => void load(), { delayMs: 600 });
  onMounted(load);
  return { rows, open, loading, error, done };
}

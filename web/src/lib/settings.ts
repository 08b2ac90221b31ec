// The admin settings (GET /api/settings), by key, for the screens that edit them.
import { api } from './api.ts';

export async function loadSettings(): Promise<Map<string, unknown>> {
  const { items } = await api.get<{ items: { key: string; value: unknown }[] }>('/settings');
  return new Map(items.map((i) => [i.key, i.value]));
}

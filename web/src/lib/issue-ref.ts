// Turns an issue number typed by staff (HZ-2026-000123) into the issue's id, through the list search; an id
// passes through unchanged.
import { api } from './api.ts';
import type { IssueSummary, ListAnswer } from './types.ts';

const OBJECT_ID = /^[0-9a-f]{24}$/i;

export async function resolveIssueRef(ref: string): Promise<string> {
  const text = ref.trim();
  if (OBJECT_ID.test(text)) return text;
  const res = await api.get<ListAnswer<IssueSummary>>('/issues', { q: text, limit: 10 });
  const hit = res.items.find((i) => i.number.toUpperCase() === text.toUpperCase());
  if (!hit) throw new Error(`未找到编号为 ${text} 的工单`);
  return hit.id;
}

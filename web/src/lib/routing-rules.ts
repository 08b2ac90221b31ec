// The admin's routing rules as stored (GET /api/routing-rules), for 分办规则 and the routing previews.
import { api } from './api.ts';
import type { StoredRule } from './routing.ts';
import type { ListAnswer } from './types.ts';

export function loadRules(): Promise<StoredRule[]> {
  return api.get<ListAnswer<StoredRule>>('/routing-rules').then((r) => r.items);
}

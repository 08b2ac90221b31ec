// The unit directory (GET /api/units), loaded once per session and shared by pickers, the list and the detail
// screen to turn unit ids into names.
import { shallowRef } from 'vue';
import { api } from './api.ts';
import type { ListAnswer, Unit } from './types.ts';

export const units = shallowRef<Unit[]>([]);
let loading: Promise<Unit[]> | null = null;

export function loadUnits(): Promise<Unit[]> {
  loading ??= api
    .get<ListAnswer<Unit>>('/units')
    .then((res) => {
      units.value = res.items;
      return res.items;
    })
    .catch((err: unknown) => {
      loading = null;
      throw err;
    });
  return loading;
}

/** Forgets the cache (on sign-out: another user may see another directory one day). */
export function resetUnits(): void {
  loading = null;
  units.value = [];
}

/** A county's township (乡镇/街道) units, in directory order (reactive: read inside a computed). */
export function townshipsOf(region: string): Unit[] {
  return units.value.filter((u) => u.level === 'township' && u.region === region);
}

/** A township's name from its unit code (an enterprise's 乡镇/街道), or ''. */
export function townshipName(code: string | null | undefined): string {
  return (code && units.value.find((u) => u.code === code)?.name) || '';
}

export function unitName(id: string | null | undefined): string {
  if (!id) return '—';
  return units.value.find((u) => u.id === id)?.name ?? '未知单位';
}

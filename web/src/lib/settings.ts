// The admin settings (GET /api/settings), by key, for the screens that edit them; and the one shape of the
// cards that edit some of them: read the settings into the card when it mounts, save (the card's own checked
// write), say so, and read them again so the card shows what is stored.
import { ElMessage } from 'element-plus';
import { onMounted } from 'vue';
import { api } from './api.ts';
import { useLoad, useSubmit } from './use-load.ts';

export async function loadSettings(): Promise<Map<string, unknown>> {
  const { items } = await api.get<{ items: { key: string; value: unknown }[] }>('/settings');
  return new Map(items.map((i) => [i.key, i.value]));
}

export interface SettingEditor {
  /** Shows the stored settings in the card. */
  fill(settings: Map<string, unknown>): void;
  /** Checks and stores the card's values; throws the message to show when they are not valid. */
  save(): Promise<void>;
  /** What the success message says. */
  saved: string;
}

export function useSettingEditor(editor: SettingEditor) {
  const { loading, error, load } = useLoad(async () => editor.fill(await loadSettings()), true);
  const {
    busy,
    error: saveError,
    submit,
  } = useSubmit(async () => {
    await editor.save();
    ElMessage.success(editor.saved);
    await load();
  });
  onMounted(load);
  return { loading, error, saving: busy, saveError, save: submit };
}

// Editable word lists over defaults (the classifier's keywords per category, the urgency cues per family): the
// text typed per list, which lists differ from their defaults, 恢复默认, and the value to store — only the lists
// that differ, checked with the schema the server stores them with, the message naming the list.
import { reactive } from 'vue';
import type { z } from 'zod';
import { api } from './api.ts';

/** The words as typed: separated by commas, 、, semicolons, spaces or new lines; repeats dropped. */
export const parseWords = (text: string) => [
  ...new Set(
    text
      .split(/[,，、;；\s]+/)
      .map((k) => k.trim())
      .filter(Boolean),
  ),
];
const show = (list: readonly string[]) => list.join('、');
const same = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((k, i) => k === b[i]);

export interface WordListsOptions<Id extends string> {
  defaults: Readonly<Record<Id, readonly string[]>>;
  names: Readonly<Record<Id, string>>;
  /** What one word is called in messages (关键词, 提示词). */
  noun: string;
  /** The schema of the stored value (a partial record of the lists). */
  schema: z.ZodType<Partial<Record<Id, string[]>>>;
  /** Whether a list may be emptied (an empty list switches it off). */
  allowEmpty?: boolean;
}

export function useWordLists<Id extends string>(options: WordListsOptions<Id>) {
  const ids = Object.keys(options.defaults) as Id[];
  const defaults = Object.fromEntries(
    ids.map((id) => [id, parseWords(show(options.defaults[id]))]),
  ) as Record<Id, string[]>;
  const texts = reactive(Object.fromEntries(ids.map((id) => [id, show(defaults[id])]))) as Record<Id, string>;

  const count = (id: Id) => parseWords(texts[id]).length;
  const changed = (id: Id) => !same(parseWords(texts[id]), defaults[id]);
  const reset = (id: Id) => void (texts[id] = show(defaults[id]));

  /** Shows the stored value (an invalid one reads as the defaults). */
  function fill(stored: unknown) {
    const checked = options.schema.safeParse(stored ?? {});
    const edited: Partial<Record<Id, readonly string[]>> = checked.success ? checked.data : {};
    for (const id of ids) texts[id] = show(edited[id] ?? defaults[id]);
  }

  /** The value to store (only the lists that differ), or the message saying what is wrong. */
  function value(): Partial<Record<Id, string[]>> | string {
    const out: Partial<Record<Id, string[]>> = {};
    for (const id of ids) {
      const list = parseWords(texts[id]);
      if (!list.length && !options.allowEmpty) return `「${options.names[id]}」至少需要一个${options.noun}`;
      if (changed(id)) out[id] = list;
    }
    const checked = options.schema.safeParse(out);
    if (checked.success) return out;
    const issue = checked.error.issues[0];
    const name = options.names[issue?.path[0] as Id];
    const message = issue?.message ?? `${options.noun}无效`;
    return name ? `「${name}」${message}` : message;
  }

  /** Stores the lists as setting `key`; throws the message when they are not valid. */
  async function store(key: string): Promise<void> {
    const checked = value();
    if (typeof checked === 'string') throw new Error(checked);
    await api.put(`/settings/${key}`, { value: checked });
  }

  return { ids, texts, count, changed, reset, fill, store };
}

export type WordLists<Id extends string> = ReturnType<typeof useWordLists<Id>>;

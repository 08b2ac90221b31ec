// Whether the screen is phone-narrow, kept up to date as it turns or resizes: the screens that lay a table out
// differently on a phone (cards, fewer columns) read it, since a table's column widths live in script, not CSS.
import { onUnmounted, ref, type Ref } from 'vue';

/** True while the viewport is at most `maxWidth` px wide; call it in a component's setup. */
export function usePhone(maxWidth = 640): Ref<boolean> {
  const query = window.matchMedia(`(max-width: ${maxWidth}px)`);
  const narrow = ref(query.matches);
  const update = () => (narrow.value = query.matches);
  query.addEventListener('change', update);
  onUnmounted(() => query.removeEventListener('change', update));
  return narrow;
}

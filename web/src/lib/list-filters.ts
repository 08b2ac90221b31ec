// The list screen's filters, kept for the whole tab so that opening an issue and coming back keeps the search.
import { ref } from 'vue';
import type { Filters } from './types.ts';

export const EMPTY_FILTERS: Readonly<Filters> = Object.freeze({
  state: '',
  category: '',
  urgency: '',
  warning: '',
  channel: '',
  q: '',
  sort: '',
});

export const listFilters = ref<Filters>({ ...EMPTY_FILTERS });

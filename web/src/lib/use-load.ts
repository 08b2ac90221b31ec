// A screen's asynchronous work with its state: loading data (the loading flag, and the error shown in place of
// the data) and submitting a form (the busy flag, and the error shown in the form). A check before sending
// throws an Error whose message is shown like the server's.
import { ref, type Ref } from 'vue';
import { messageOf, optional, type Query } from './api.ts';
import { lastAskedRunsLast } from './last-asked.ts';

function track<A extends unknown[]>(work: (...args: A) => Promise<unknown>, running = false) {
  const busy = ref(running);
  const error = ref('');
  async function run(...args: A): Promise<boolean> {
    busy.value = true;
    error.value = '';
    try {
      await work(...args);
      return true;
    } catch (err) {
      error.value = messageOf(err);
      return false;
    } finally {
      busy.value = false;
    }
  }
  return { busy, error, run };
}

/** A screen's load; the last one asked for lands last (last-asked.ts). */
export function useLoad<A extends unknown[]>(
  fetch: (...args: A) => Promise<unknown>,
  initiallyLoading = false,
) {
  const { busy, error, run } = track(fetch, initiallyLoading);
  return { loading: busy, error, load: lastAskedRunsLast(run) };
}

export function useSubmit<A extends unknown[]>(send: (...args: A) => Promise<unknown>) {
  const { busy, error, run } = track(send);
  return { busy, error, submit: run };
}

/** A list from an endpoint that may not be switched on here: 404 sets `missing` (the screen says 功能未启用). */
export function useOptionalList<T>(path: string, query?: () => Query) {
  const rows = ref<T[] | null>(null) as Ref<T[] | null>;
  const missing = ref(false);
  const { loading, error, load } = useLoad(async () => {
    const res = await optional<{ items: T[] }>(path, query?.());
    missing.value = !res;
    rows.value = res?.items ?? [];
  });
  return { rows, missing, loading, error, load };
}

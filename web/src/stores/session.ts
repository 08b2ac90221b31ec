// The signed-in staff member (Pinia). The token lives in memory and in sessionStorage (a reload keeps it); a new
// tab has neither, so boot() asks POST /api/auth/refresh, which answers from the httpOnly cookie set at login.
// It asks only when this browser has signed in and not out since (a flag in localStorage: the cookie itself is
// out of the page's reach), so a signed-out visitor's login screen makes no request that must fail.
// Logout in one tab ends the session in every tab of this browser (BroadcastChannel).
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Role } from '../../../shared/roles.ts';

export interface SessionUser {
  id: string;
  username: string;
  name: string;
  role: Role;
  roleLabel: string;
  unitId: string | null;
  region: string;
}

interface Saved {
  token: string;
  user: SessionUser;
}

const KEY = 'eil.session';
/** Set at sign-in, removed at sign-out: whether a refresh cookie may be there to trade. */
const HAD_SESSION = 'eil.hadSession';
const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel('eil.session');

function loadSaved(): Saved | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    const saved = raw ? (JSON.parse(raw) as Saved) : null;
    return saved?.token && saved.user ? saved : null;
  } catch {
    return null; // a corrupt entry just means "signed out"
  }
}

/**
 * POST /api/auth/refresh with the cookie: a new token; null when the server said no (no cookie, revoked, not
 * supported); undefined when it did not answer (offline), which says nothing about the session.
 */
async function refreshFromCookie(): Promise<Saved | null | undefined> {
  let res: Response;
  try {
    res = await fetch('/api/auth/refresh', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
    });
  } catch {
    return undefined;
  }
  if (!res.ok) return null;
  const body = (await res.json().catch(() => ({}))) as Partial<Saved>;
  return body.token && body.user ? { token: body.token, user: body.user } : null;
}

export const useSession = defineStore('session', () => {
  const saved = loadSaved();
  const token = ref<string | null>(saved?.token ?? null);
  const user = ref<SessionUser | null>(saved?.user ?? null);
  const ready = ref(false);
  const signedIn = computed(() => !!token.value && !!user.value);
  let refreshing: Promise<boolean> | null = null;

  function signIn(next: Saved): void {
    token.value = next.token;
    user.value = next.user;
    sessionStorage.setItem(KEY, JSON.stringify(next));
    localStorage.setItem(HAD_SESSION, '1');
  }

  function clear(): void {
    token.value = null;
    user.value = null;
    sessionStorage.removeItem(KEY);
    localStorage.removeItem(HAD_SESSION);
  }

  /** Once per tab: adopt the cookie session when this tab has none. */
  async function boot(): Promise<void> {
    if (!ready.value && !token.value && localStorage.getItem(HAD_SESSION)) await refresh();
    ready.value = true;
  }

  /** A fresh token from the cookie (shared by concurrent callers); false when the session is over. */
  function refresh(): Promise<boolean> {
    refreshing ??= refreshFromCookie()
      .then((next) => {
        if (next) signIn(next);
        else if (next === null) localStorage.removeItem(HAD_SESSION);
        return !!next;
      })
      .finally(() => (refreshing = null));
    return refreshing;
  }

  /** Ends the session here and in the browser's other tabs (the caller revokes it on the server). */
  function signOut(broadcast = true): void {
    clear();
    if (broadcast) channel?.postMessage('signed-out');
  }

  return { token, user, ready, signedIn, signIn, boot, refresh, signOut };
});

/** Other tabs' logouts: the caller decides where to go (the login screen). */
export function onSignedOutElsewhere(listener: () => void): void {
  channel?.addEventListener('message', (e) => {
    if (e.data === 'signed-out') listener();
  });
}

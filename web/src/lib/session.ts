// The signed-in staff member: the JWT and the user of POST /api/auth/login, kept in sessionStorage so a tab
// survives a reload but closing it signs out.
import { reactive } from 'vue';
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

interface SessionState {
  token: string | null;
  user: SessionUser | null;
}

const KEY = 'eil.session';

function load(): SessionState {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (raw) {
      const saved = JSON.parse(raw) as SessionState;
      if (saved.token && saved.user) return saved;
    }
  } catch {
    // A corrupt entry just means "signed out".
  }
  return { token: null, user: null };
}

export const session = reactive<SessionState>(load());

export function signIn(token: string, user: SessionUser): void {
  session.token = token;
  session.user = user;
  sessionStorage.setItem(KEY, JSON.stringify({ token, user }));
}

export function signOut(): void {
  session.token = null;
  session.user = null;
  sessionStorage.removeItem(KEY);
}

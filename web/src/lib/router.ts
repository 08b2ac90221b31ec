// A tiny hash router: the current route is one reactive object parsed from location.hash, so views switch
// without a routing library and a reload keeps the screen (#/issues/…, #/issues/new, #/login).
import { reactive } from 'vue';

export type RouteName = 'login' | 'issues' | 'issue' | 'create';

export interface Route {
  name: RouteName;
  /** The issue id for `issue`. */
  id?: string;
}

function parse(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/issues';
  if (path === '/login') return { name: 'login' };
  if (path === '/issues/new') return { name: 'create' };
  const m = /^\/issues\/([0-9a-f]{24})$/i.exec(path);
  if (m) return { name: 'issue', id: m[1] };
  return { name: 'issues' };
}

export const route = reactive<Route>(parse(location.hash));

window.addEventListener('hashchange', () => {
  const next = parse(location.hash);
  route.name = next.name;
  route.id = next.id;
  window.scrollTo(0, 0);
});

export function hrefOf(target: Route): string {
  switch (target.name) {
    case 'login':
      return '#/login';
    case 'create':
      return '#/issues/new';
    case 'issue':
      return `#/issues/${target.id ?? ''}`;
    default:
      return '#/issues';
  }
}

export function navigate(target: Route): void {
  const href = hrefOf(target);
  if (location.hash === href) return;
  location.hash = href;
}

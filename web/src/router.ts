// The staff app's routes (vue-router, history mode): one lazily loaded chunk per screen, each screen naming the
// roles that work in it. The guard waits for the session (a new tab adopts the cookie session first), sends a
// signed-out visitor to login (and back afterwards), and a role to its own home screen.
import { createRouter, createWebHistory, type RouteLocationRaw, type RouteRecordRaw } from 'vue-router';
import type { Role } from '../../shared/roles.ts';
import { useSession } from './stores/session.ts';

declare module 'vue-router' {
  interface RouteMeta {
    title?: string;
    /** Who works here; absent: every signed-in role. */
    roles?: readonly Role[];
    /** Shown without a session. */
    public?: boolean;
    /** Rendered without the header (print pages). */
    bare?: boolean;
  }
}

export const UNIT_ROLES: readonly Role[] = ['handler', 'unit_head'];
export const DESK_ROLES: readonly Role[] = ['clerk', 'dispatcher', 'director'];
export const LEADER_ROLES: readonly Role[] = ['leader', 'director', 'supervisor'];
export const ENTERPRISE_ROLES: readonly Role[] = ['clerk', 'dispatcher', 'director', 'admin'];
/** The class problems (一类事): the coordination tiers, oversight, the centre's verifier, admins. */
export const CLASS_ROLES: readonly Role[] = ['director', 'leader', 'supervisor', 'dispatcher', 'admin'];
const ISSUE_ROLES: readonly Role[] = [...UNIT_ROLES, ...DESK_ROLES, 'leader', 'supervisor'];

const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('./views/LoginView.vue'),
    meta: { public: true, title: '登录', bare: true },
  },
  { path: '/', name: 'home', redirect: () => homeOf(useSession().user?.role) },
  {
    path: '/workbench',
    name: 'workbench',
    component: () => import('./views/WorkbenchView.vue'),
    meta: { title: '工作台', roles: UNIT_ROLES },
  },
  {
    path: '/desk',
    name: 'desk',
    component: () => import('./views/DeskView.vue'),
    meta: { title: '受理分办台', roles: DESK_ROLES },
  },
  {
    path: '/dashboard',
    name: 'dashboard',
    component: () => import('./views/DashboardView.vue'),
    meta: { title: '领导驾驶舱', roles: LEADER_ROLES },
  },
  {
    path: '/reports/monthly',
    name: 'monthly',
    component: () => import('./views/MonthlyReportView.vue'),
    meta: { title: '营商环境月度分析', roles: LEADER_ROLES },
  },
  {
    path: '/class-problems',
    name: 'classes',
    component: () => import('./views/ClassProblemsView.vue'),
    meta: { title: '类问题', roles: CLASS_ROLES },
  },
  {
    path: '/issues',
    name: 'issues',
    component: () => import('./views/IssueListView.vue'),
    meta: { title: '工单查询', roles: ISSUE_ROLES },
  },
  {
    path: '/issues/new',
    name: 'create',
    component: () => import('./views/IssueCreateView.vue'),
    meta: { title: '新建工单', roles: ISSUE_ROLES },
  },
  {
    path: '/issues/:id([0-9a-f]{24})',
    name: 'issue',
    component: () => import('./views/IssueDetailView.vue'),
    props: true,
    meta: { title: '工单详情', roles: ISSUE_ROLES },
  },
  {
    path: '/enterprises',
    name: 'enterprises',
    component: () => import('./views/EnterprisesView.vue'),
    meta: { title: '企业管理', roles: ENTERPRISE_ROLES },
  },
  {
    path: '/enterprises/:id([0-9a-f]{24})/plaque',
    name: 'plaque',
    component: () => import('./views/PlaqueView.vue'),
    props: true,
    meta: { title: '企业码牌', roles: ENTERPRISE_ROLES, bare: true },
  },
  {
    path: '/admin/:tab?',
    name: 'admin',
    component: () => import('./views/AdminView.vue'),
    props: true,
    meta: { title: '系统管理', roles: ['admin'] },
  },
  {
    path: '/:rest(.*)*',
    name: 'not-found',
    component: () => import('./views/NotFoundView.vue'),
    meta: { title: '页面不存在' },
  },
];

/** Where a role starts its day. */
export function homeOf(role: Role | undefined): RouteLocationRaw {
  if (!role) return { name: 'login' };
  if (UNIT_ROLES.includes(role)) return { name: 'workbench' };
  if (role === 'admin') return { name: 'admin' };
  if (role === 'leader' || role === 'supervisor') return { name: 'dashboard' };
  return { name: 'desk' };
}

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
});

router.beforeEach(async (to) => {
  const session = useSession();
  await session.boot();
  if (to.meta.public) return to.name === 'login' && session.signedIn ? homeOf(session.user?.role) : true;
  if (!session.signedIn) return { name: 'login', query: to.fullPath === '/' ? {} : { next: to.fullPath } };
  const roles = to.meta.roles;
  if (roles && session.user && !roles.includes(session.user.role)) return homeOf(session.user.role);
  return true;
});

router.afterEach((to) => {
  document.title = `${to.meta.title ?? '工作台'} · 涉企问题闭环`;
});

/** The screens a role sees in the header, in order. */
export function navOf(role: Role): { to: RouteLocationRaw; label: string; name: string }[] {
  const items: { to: RouteLocationRaw; label: string; name: string }[] = [];
  if (UNIT_ROLES.includes(role))
    items.push({ to: { name: 'workbench' }, label: '工作台', name: 'workbench' });
  if (DESK_ROLES.includes(role)) items.push({ to: { name: 'desk' }, label: '受理分办', name: 'desk' });
  if (LEADER_ROLES.includes(role))
    items.push({ to: { name: 'dashboard' }, label: '驾驶舱', name: 'dashboard' });
  if (ISSUE_ROLES.includes(role)) items.push({ to: { name: 'issues' }, label: '工单查询', name: 'issues' });
  if (CLASS_ROLES.includes(role)) items.push({ to: { name: 'classes' }, label: '类问题', name: 'classes' });
  if (ENTERPRISE_ROLES.includes(role))
    items.push({ to: { name: 'enterprises' }, label: '企业管理', name: 'enterprises' });
  if (role === 'admin') items.push({ to: { name: 'admin' }, label: '系统管理', name: 'admin' });
  return items;
}

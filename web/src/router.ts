// The staff app's routes (vue-router, history mode): one lazily loaded chunk per screen, each screen naming the
// roles that work in it. The guard waits for the session (a new tab adopts the cookie session first), sends a
// signed-out visitor to login (and back afterwards), and a role to its own home screen.
import {
  createRouter,
  createWebHistory,
  type RouteComponent,
  type RouteLocationRaw,
  type RouteMeta,
  type RouteRecordRaw,
} from 'vue-router';
import type { Role } from '../../shared/roles.ts';
import { prefetchWorkbench } from './lib/queues.ts';
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
/** The to-do queues: a unit's, and the supervisor's (督办, 通报, 全市超期). */
export const WORKBENCH_ROLES: readonly Role[] = [...UNIT_ROLES, 'supervisor'];
export const ENTERPRISE_ROLES: readonly Role[] = ['clerk', 'dispatcher', 'director', 'admin'];
/** Who registers and edits enterprises (the server's policy for POST and PATCH /api/enterprises). */
export const ENTERPRISE_EDIT_ROLES: readonly Role[] = ['admin', 'clerk', 'dispatcher'];
/**
 * The class problems (一类事): the coordination tiers, oversight, the centre's verifier, admins; handlers and
 * unit heads read the ones their unit leads or co-handles.
 */
export const CLASS_ROLES: readonly Role[] = [
  'director',
  'leader',
  'supervisor',
  'dispatcher',
  'admin',
  ...UNIT_ROLES,
];
/** Batch imports of issues (POST /api/imports): the centre's desks and admins, as the API allows. */
export const IMPORT_ROLES: readonly Role[] = ['clerk', 'dispatcher', 'director', 'admin'];
const ISSUE_ROLES: readonly Role[] = [...UNIT_ROLES, ...DESK_ROLES, 'leader', 'supervisor'];
const ADMIN: readonly Role[] = ['admin'];

/** A screen: its path, name, lazily loaded component and meta; `props` passes the path's parameters. */
const screen = (
  path: string,
  name: string,
  component: () => Promise<RouteComponent>,
  meta: RouteMeta,
  props = false,
): RouteRecordRaw => ({ path, name, component, meta, props });

const routes: RouteRecordRaw[] = [
  screen('/login', 'login', () => import('./views/LoginView.vue'), {
    public: true,
    title: '登录',
    bare: true,
  }),
  { path: '/', name: 'home', redirect: () => homeOf(useSession().user?.role) },
  screen('/workbench', 'workbench', () => import('./views/WorkbenchView.vue'), {
    title: '工作台',
    roles: WORKBENCH_ROLES,
  }),
  screen('/desk', 'desk', () => import('./views/DeskView.vue'), { title: '受理分办台', roles: DESK_ROLES }),
  screen('/dashboard', 'dashboard', () => import('./views/DashboardView.vue'), {
    title: '领导驾驶舱',
    roles: LEADER_ROLES,
  }),
  screen('/reports/monthly', 'monthly', () => import('./views/MonthlyReportView.vue'), {
    title: '营商环境月度分析',
    roles: LEADER_ROLES,
  }),
  screen('/class-problems', 'classes', () => import('./views/ClassProblemsView.vue'), {
    title: '类问题',
    roles: CLASS_ROLES,
  }),
  screen('/issues', 'issues', () => import('./views/IssueListView.vue'), {
    title: '工单查询',
    roles: ISSUE_ROLES,
  }),
  screen('/issues/new', 'create', () => import('./views/IssueCreateView.vue'), {
    title: '新建工单',
    roles: ISSUE_ROLES,
  }),
  screen('/issues/import', 'issueImport', () => import('./views/IssueImportView.vue'), {
    title: '批量导入问题',
    roles: IMPORT_ROLES,
  }),
  screen(
    '/issues/:id([0-9a-f]{24})',
    'issue',
    () => import('./views/IssueDetailView.vue'),
    { title: '工单详情', roles: ISSUE_ROLES },
    true,
  ),
  screen('/enterprises', 'enterprises', () => import('./views/EnterprisesView.vue'), {
    title: '企业管理',
    roles: ENTERPRISE_ROLES,
  }),
  screen(
    '/enterprises/:id([0-9a-f]{24})/plaque',
    'plaque',
    () => import('./views/PlaqueView.vue'),
    { title: '企业码牌', roles: ENTERPRISE_ROLES, bare: true },
    true,
  ),
  screen(
    '/admin/:tab?',
    'admin',
    () => import('./views/AdminView.vue'),
    { title: '系统管理', roles: ADMIN },
    true,
  ),
  screen('/:rest(.*)*', 'not-found', () => import('./views/NotFoundView.vue'), { title: '页面不存在' }),
];

/** Where a role starts its day. */
export function homeOf(role: Role | undefined): RouteLocationRaw {
  if (!role) return { name: 'login' };
  if (WORKBENCH_ROLES.includes(role)) return { name: 'workbench' };
  if (role === 'admin') return { name: 'admin' };
  if (role === 'leader') return { name: 'dashboard' };
  return { name: 'desk' };
}

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
});

router.beforeEach(async (to, from) => {
  const session = useSession();
  await session.boot();
  if (to.meta.public) return to.name === 'login' && session.signedIn ? homeOf(session.user?.role) : true;
  if (!session.signedIn) return { name: 'login', query: to.fullPath === '/' ? {} : { next: to.fullPath } };
  const roles = to.meta.roles;
  if (roles && session.user && !roles.includes(session.user.role)) return homeOf(session.user.role);
  // The to-do counts load while the screen's code does (first paint), not after it.
  if (to.name !== from.name && to.name === 'workbench') prefetchWorkbench('unit');
  if (to.name !== from.name && to.name === 'desk') prefetchWorkbench('desk');
  return true;
});

router.afterEach((to) => {
  document.title = `${to.meta.title ?? '工作台'} · 涉企问题闭环`;
});

/** The screens in the header, in order, with the roles that see each. */
const NAV: { name: string; label: string; roles: readonly Role[] }[] = [
  { name: 'workbench', label: '工作台', roles: WORKBENCH_ROLES },
  { name: 'desk', label: '受理分办', roles: DESK_ROLES },
  { name: 'dashboard', label: '驾驶舱', roles: LEADER_ROLES },
  { name: 'issues', label: '工单查询', roles: ISSUE_ROLES },
  { name: 'classes', label: '类问题', roles: CLASS_ROLES },
  { name: 'enterprises', label: '企业管理', roles: ENTERPRISE_ROLES },
  { name: 'admin', label: '系统管理', roles: ADMIN },
];

/** The screens a role sees in the header, in order. */
export function navOf(role: Role): { to: RouteLocationRaw; label: string; name: string }[] {
  return NAV.filter((n) => n.roles.includes(role)).map(({ name, label }) => ({ to: { name }, label, name }));
}

// The routes: sign-in, every role's pages (roles/index.js), the pages all
// roles share, and a guard that asks the server for the session before any
// page that needs one (GET /api/v1/session; 401 sends to sign-in) and keeps
// each role to its own pages.
import { createRouter, createWebHistory } from 'vue-router';
import { roles } from './roles/index.js';
import { homeOf, roleOf, routesOf } from './roles/registry.js';
import { loadSession, session } from './session.js';

const routes = [
  { path: '/signin', name: 'signin', component: () => import('./pages/SignIn.vue'), meta: { public: true } },
  { path: '/', name: 'home', component: () => import('./pages/NoRole.vue') },
  { path: '/no-role', name: 'no-role', component: () => import('./pages/NoRole.vue') },
  // One settlement with its receipt and trace, for whoever may see it (the
  // server decides: 404 otherwise).
  { path: '/settlements/:setl_id', name: 'settlement', component: () => import('./pages/SettlementPage.vue') },
  ...routesOf(roles),
  { path: '/:rest(.*)*', name: 'not-found', component: () => import('./pages/NotFound.vue'), meta: { public: true } },
];

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
});

// The signed-in role's main page, or the page that says there is none.
export function homeRoute() {
  const role = roleOf(session.current, roles);
  return role ? { name: homeOf(role) } : { name: 'no-role' };
}

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  if (!session.current) {
    try {
      await loadSession();
    } catch (e) {
      session.error = e;
    }
  }
  if (!session.current) {
    return { name: 'signin', query: to.fullPath === '/' ? {} : { next: to.fullPath } };
  }
  const role = roleOf(session.current, roles);
  if (to.name === 'home') return homeRoute();
  if (to.meta.role && (!role || to.meta.role !== role.id)) return homeRoute();
  return true;
});

// Each page's heading as the document's title.
router.afterEach(() => {
  setTimeout(() => {
    const h1 = document.querySelector('main h1');
    document.title = h1 ? `${h1.textContent} · 协同` : '协同';
  }, 0);
});

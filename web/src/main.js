// The application's entry: the shell (App.vue) with the router and i18n; a
// request that finds the session over sends the user to sign in.
import { createApp } from 'vue';
import App from './App.vue';
import { onUnauthorized } from './api/client.js';
import { i18n } from './i18n.js';
import { router } from './router.js';
import { forgetSession } from './session.js';
import './styles.css';

onUnauthorized(() => {
  forgetSession();
  const here = router.currentRoute.value;
  if (here.name !== 'signin') router.push({ name: 'signin', query: { next: here.fullPath } });
});

createApp(App).use(i18n).use(router).mount('#app');

// The application's build: Vue single-file components into web/dist, served
// by `xietong serve`. Hashed assets under assets/ (the server caches those a
// year); nothing loaded from anywhere but the server itself.
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// `npm run dev` serves the pages with hot reload and passes the API's paths
// to a running `xietong serve` (XT_SERVER, default its own default address).
const server = process.env.XT_SERVER || 'http://127.0.0.1:8080';
const proxied = ['/api', '/fsi', '/metrics', '/healthz', '/openapi.json'];

export default defineConfig({
  plugins: [vue()],
  server: {
    // The region table is read from the repository's data/ folder.
    fs: { allow: ['..'] },
    proxy: Object.fromEntries(proxied.map((p) => [p, { target: server, changeOrigin: false }])),
  },
  base: '/',
  define: {
    // vue-i18n's bundler build: composition API only, no legacy API, no
    // devtools in the production bundle.
    __VUE_I18N_FULL_INSTALL__: false,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __VUE_PROD_DEVTOOLS__: false,
    __VUE_OPTIONS_API__: true,
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: false,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    chunkSizeWarningLimit: 900,
  },
  test: {
    include: ['src/**/*.test.js'],
    environment: 'node',
  },
});

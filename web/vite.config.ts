// Vite build of the staff workbench: root web/, output web/dist (served by the Express app), and in dev a proxy
// that forwards /api (and the /socket.io live updates) to a running server (API_TARGET, default http://localhost:3000).
import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const apiTarget = process.env.API_TARGET ?? 'http://localhost:3000';

export default defineConfig({
  root,
  plugins: [vue()],
  // Every browser the workbench targets supports modulepreload natively, so no polyfill is injected.
  // ECharts is one chunk of about 570 kB that only the dashboards load, after their first paint; the warning
  // for chunks over 500 kB would only ever name it, on every `npm start`.
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 600,
  },
  server: {
    // The web imports the pure modules of shared/ and config/ from the repository root.
    fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] },
    proxy: {
      '/api': apiTarget,
      '/e/': apiTarget,
      '/favicon.svg': apiTarget,
      '/socket.io': { target: apiTarget, ws: true },
    },
  },
});

// Vite build of the console into dist/ (served by `condense serve`); `npm run dev -w @condense/console`
// proxies /graphql, /session, /uploads and /downloads to an API on CONDENSE_API (default :4000).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = process.env.CONDENSE_API ?? 'http://127.0.0.1:4000';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, manifest: true, sourcemap: false, chunkSizeWarningLimit: 600 },
  server: {
    proxy: {
      '/graphql': { target: api, ws: true },
      '/session': api,
      '/uploads': api,
      '/downloads': api,
    },
  },
});

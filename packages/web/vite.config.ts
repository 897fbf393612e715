import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

// The admin web app is served by the gradpass server at `/` (SPA fallback), so everything is bundled:
// no CDN, no external fonts. `npm run dev -w @gradpass/web` proxies /api to a local server.
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2500,
  },
  server: {
    proxy: { '/api': process.env.GRADPASS_API ?? 'http://127.0.0.1:3000' },
  },
});

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// Where `npm run dev` in ../backend listens (its PORT, 8080 by default).
const backend = 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: {
    // The deploy uploads dist/ to S3. Files under assets/ carry a content hash in their names, so
    // they can be cached for a year; index.html names them and must never be cached.
    outDir: 'dist',
    assetsDir: 'assets',
  },
  server: {
    // In production CloudFront sends /api/* to the load balancer; locally Vite does the same.
    proxy: { '/api': backend },
  },
  test: {
    environment: 'jsdom',
    restoreMocks: true,
  },
});

import { defineConfig } from 'vite';

export default defineConfig({
  server: { host: 'localhost', port: 5173 },
  preview: { host: 'localhost', port: 4173 },
  build: {
    target: 'es2022',
    // tfjs (core, layers, cpu and webgl backends) is about 1.5 MB minified: one chunk the page needs whole.
    chunkSizeWarningLimit: 2000,
  },
});

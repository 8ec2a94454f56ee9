import { defineConfig } from 'vite';

// No React plugin needed: esbuild compiles the TSX (no fast refresh; a reload is quick).
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  server: { port: 5173 },
});

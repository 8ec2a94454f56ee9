import { defineConfig } from 'vite';

// No React plugin needed: Vite's own transform (Oxc) compiles the TSX with the automatic runtime
// (no fast refresh; a reload is quick).
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic' } },
  server: { port: 5173 },
});

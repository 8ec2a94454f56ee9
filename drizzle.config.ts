import { defineConfig } from 'drizzle-kit';

// Only `npm run db:generate` reads this; the app applies drizzle/ itself on start.
export default defineConfig({
  dialect: 'postgresql',
  // Every table: each module's own, and the outbox's.
  schema: ['./src/modules/*/tables.ts', './src/realtime/tables.ts'],
  out: './drizzle',
  dbCredentials: { url: process.env.DATABASE_URL ?? 'postgres://localhost/plaza' },
});

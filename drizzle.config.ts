import { defineConfig } from 'drizzle-kit';

// Only `npm run db:generate` reads this; the app applies drizzle/ itself on start.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/tables.ts',
  out: './drizzle',
  dbCredentials: { url: process.env.DATABASE_URL ?? 'postgres://localhost/plaza' },
});

/**
 * One step of Plaza's idle footprint (BENCH_ONLY=idle), as a process that
 * prints `{"msg":"ready","port":0}` and then idles: `bare` loads nothing,
 * `libraries` imports the libraries Plaza is built on, `code` imports
 * Plaza's own code (its schema built) without starting anything.
 * Usage: idle-step.ts bare|libraries|code
 */
const step = process.argv[2];
if (step === 'libraries') {
  await Promise.all(
    ['graphql', 'graphql-yoga', 'graphql-ws', 'ws', '@pothos/core', 'drizzle-orm', 'pg', 'pg-boss', 'ioredis', 'pino', 'zod', 'prom-client', 'undici', 'rate-limiter-flexible', 'piscina'].map(
      (name) => import(name),
    ),
  );
} else if (step === 'code') {
  await import('../../src/app.ts');
  await import('../../src/schema.ts');
} else if (step !== 'bare') {
  throw new Error(`unknown step ${step}`);
}
process.stdout.write(`${JSON.stringify({ msg: 'ready', port: 0 })}\n`);
setInterval(() => {}, 60_000);

import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { bool, commaList, int, section } from '../section.ts';

/** The process, its port and what it accepts from browsers and proxies. */
export const server = section(
  {
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development').describe('`production` requires JWT_SECRET, DATABASE_URL and REDIS_URL, and turns off GraphiQL, introspection, suggestions and echoed input'),
    PORT: int(0).max(65535).default(4000).describe('HTTP port (HTTP, SSE and WebSocket share it)'),
    HOST: z.string().min(1).default('0.0.0.0').describe('Interface to bind'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino level'),
    PLAZA_PROCESSES: int(0).max(256).default(1).describe('Processes serving the one port, each with its share of the connections (0: one per core); above 1 needs REDIS_URL, through which they share presence, rate limits and connection caps'),
    RUN_WORKERS: bool.default(true).describe('Run the background workers (link previews, cleanups) in this process'),
    CORS_ORIGINS: z.string().default('').describe('Comma-separated browser origins allowed, for HTTP and the WebSocket handshake; empty: any outside production, none in it'),
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional().describe('Bearer token `GET /metrics` asks for; in production, without one there is no /metrics'),
    TRUST_PROXY_HOPS: int(0).max(10).default(0).describe("Proxies in front whose X-Forwarded-For is believed, for per-address limits"),
    DATA_DIR: z
      .string()
      .min(1)
      .default(fileURLToPath(new URL('../../../.data', import.meta.url)))
      .describe('Where the embedded database and generated secrets live, whatever the working directory')
      .meta({ shownDefault: '`.data` in the checkout' }),
    EMBEDDED_POSTGRES_ROOT_DIR: z.string().min(1).default('/var/lib/plaza').describe("Running as root only: where the embedded PostgreSQL's binaries and cluster go, owned by and reachable for the `postgres` user it runs as"),
    MAX_BODY_BYTES: int(1).default(100_000).describe('Largest accepted HTTP request body in bytes (413 above it; a POST needs a Content-Length)'),
    MAX_WS_MESSAGE_BYTES: int(1).default(100_000).describe('Largest accepted WebSocket message in bytes (closed with 1009 above it)'),
    PLAIN_JSON_FAST_PATH: bool.default(true).describe("Serve plain JSON POSTs (one query or mutation, a JSON Accept) through Yoga's plugins but not its HTTP layer; false sends every request through Yoga's HTTP layer (the same answers, more CPU)"),
  },
  {
    derive: ({ nodeEnv, corsOrigins, dataDir, plazaProcesses, ...rest }) => {
      const isProduction = nodeEnv === 'production';
      const origins = commaList(corsOrigins);
      return {
        ...rest,
        env: nodeEnv,
        isProduction,
        /** `'*'` allows any origin. */
        corsOrigins: origins.length > 0 ? origins : isProduction ? ([] as string[]) : ('*' as const),
        dataDir: resolve(dataDir),
        /** How many processes serve the port: PLAZA_PROCESSES, 0 meaning one per core. */
        processes: plazaProcesses === 0 ? availableParallelism() : plazaProcesses,
      };
    },
  },
);

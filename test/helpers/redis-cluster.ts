import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export const hasRedisCluster = spawnSync('redis-server', ['--version']).status === 0 && spawnSync('redis-cli', ['--version']).status === 0;

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** A port whose cluster bus port (+10000) is free too. */
async function clusterPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 17_000 + Math.floor(Math.random() * 10_000);
    if (taken.has(port)) continue;
    if ((await portFree(port)) && (await portFree(port + 10_000))) {
      taken.add(port);
      return port;
    }
  }
}

export interface LocalCluster {
  /** `127.0.0.1:port` of every node, for REDIS_CLUSTER_NODES. */
  nodes: string[];
  /** What one node answers to a command (CLUSTER …, PUBSUB …), asked directly, not through a cluster client. */
  ask<T = unknown>(node: string, ...args: string[]): Promise<T>;
  /** The master serving `channel`'s hash slot now. */
  masterOf(channel: string): Promise<string>;
  /** SIGKILLs the node at `host:port`; resolves once it is gone. */
  kill(node: string): Promise<void>;
  /** Resolves once every node alive says the cluster is ok and `channel`'s slot has a master other than `not`. */
  waitForFailover(channel: string, not: string, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A real Redis Cluster of the test's own: three masters and three replicas
 * from `redis-server` on free ports, joined by `redis-cli --cluster create`,
 * with a short node timeout so a killed master's replica takes over in a
 * couple of seconds.
 */
export async function startLocalCluster(): Promise<LocalCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-redis-cluster-'));
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i < 6; i++) ports.push(await clusterPort(taken));
  const children = new Map<string, ChildProcess>();
  await Promise.all(
    ports.map(async (port) => {
      // Each node in a folder of its own (replication writes its files there); a replica may take over however
      // recently it synced, so a failover does not wait on its link's age.
      const home = join(dir, String(port));
      mkdirSync(home);
      const child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', join(home, 'nodes.conf'),
          '--cluster-node-timeout', '1000', '--cluster-replica-validity-factor', '0', '--repl-diskless-sync', 'yes',
          '--repl-diskless-sync-delay', '0', '--save', '', '--appendonly', 'no', '--dir', home],
        { stdio: ['ignore', 'pipe', 'ignore'] },
      );
      await new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
        child.stdout!.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('Ready to accept connections')) resolve();
        });
      });
      child.removeAllListeners('exit');
      children.set(`127.0.0.1:${port}`, child);
    }),
  );
  const nodes = ports.map((port) => `127.0.0.1:${port}`);
  const created = spawnSync('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '1', '--cluster-yes'], { encoding: 'utf8' });
  if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);

  const ask = async <T>(node: string, ...args: string[]): Promise<T> => {
    const [host, port] = node.split(':');
    const client = new Redis({ host, port: Number(port), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await client.connect();
      return (await client.call(args[0]!, ...args.slice(1))) as T;
    } finally {
      client.disconnect();
    }
  };
  const alive = () => [...children].filter(([, c]) => c.exitCode === null && c.signalCode === null).map(([node]) => node);
  const ok = async () => {
    for (const node of alive()) {
      const info = await ask<string>(node, 'cluster', 'info');
      if (!info.includes('cluster_state:ok')) return false;
    }
    return true;
  };
  const masterOf = async (channel: string) => {
    const node = alive()[0]!;
    const slot = await ask<number>(node, 'cluster', 'keyslot', channel);
    const ranges = await ask<Array<[number, number, [string, number]]>>(node, 'cluster', 'slots');
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    if (!range) throw new Error(`no master for slot ${slot}`);
    return `${range[2][0]}:${range[2][1]}`;
  };
  const until = async <T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> => {
    for (const deadline = Date.now() + timeoutMs; ; ) {
      const value = await check().catch(() => undefined);
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`the local cluster: ${what} not within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  await until('every node ok', async () => ((await ok()) ? true : undefined), 20_000);

  return {
    nodes,
    ask,
    masterOf,
    async kill(node) {
      const child = children.get(node);
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const gone = once(child, 'exit');
      child.kill('SIGKILL');
      await gone;
    },
    waitForFailover: (channel, not, timeoutMs = 20_000) =>
      until(
        `a new master for ${channel}`,
        async () => {
          const master = await masterOf(channel);
          return master !== not && (await ok()) ? master : undefined;
        },
        timeoutMs,
      ),
    async stop() {
      await Promise.all(
        [...children.values()].map(async (child) => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const gone = once(child, 'exit');
          child.kill('SIGKILL');
          await gone;
        }),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

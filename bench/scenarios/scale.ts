import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { gql, signUp } from '../lib/graphql.ts';
import { processTree, type Started } from '../lib/processes.ts';
import { round, summary } from '../lib/stats.ts';
import { startSubscriberLoad } from '../lib/subscriber-load.ts';
import { benchChannel, HIGHLIGHT, SUB } from './fanout.ts';

/** What subscribers of one point of the curve subscribe to, and how a change is made (its version back). */
export interface ScaleTarget {
  operation: { query: string; variables: Record<string, unknown> };
  token?: string;
  fire(): Promise<number>;
}

/** One way of running a server in the curve, started afresh for each size. */
export interface ScaleSetup {
  name: string;
  start(): Promise<Started[]>;
  /** Sizes above this are left out (one process past its descriptor limit). */
  maxSubscribers: number;
  /** The baseline: no GraphQL, `POST /fire` sends a version to everyone. */
  raw?: boolean;
}

export interface ScalePoint {
  subscribers: number;
  deliveriesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Resident memory each subscribed connection added, read after a full GC of every server process. */
  settledBytesPerConnection: number;
  /** Resident memory gained under load (connects, then the changes) without a forced GC: what a container limit sees. */
  gainedBytesPerConnection: number;
  /** Resident memory of the fresh servers after a full GC, before any subscriber. */
  idleBytes: number;
}

export interface ScaleResult {
  changes: number;
  loadProcesses: number;
  setups: Array<{ name: string; points: ScalePoint[] }>;
}

/** BENCH_HEAP_SPACES=1: every server process prints its heap spaces (gc-on-signal.ts) at each reading. */
const printSpaces = async (servers: Started[], when: string) => {
  if (!process.env.BENCH_HEAP_SPACES) return;
  process.stderr.write(`[bench] heap spaces, ${when}:\n`);
  for (const server of servers) for (const pid of processTree(server.child.pid!)) process.kill(pid, 'SIGUSR2');
  await new Promise((resolve) => setTimeout(resolve, 200));
};

const totalRss = (servers: Started[]) => servers.reduce((sum, s) => sum + s.rss(), 0);
const settledRss = async (servers: Started[]) => (await Promise.all(servers.map((s) => s.settledRss()))).reduce((a, b) => a + b, 0);

async function targetOf(setup: ScaleSetup, servers: Started[]): Promise<ScaleTarget> {
  if (setup.raw) {
    let version = 0;
    const server = servers[0]!;
    return {
      operation: { query: SUB, variables: { id: 'baseline' } },
      async fire() {
        version += 1;
        await (await request(`http://127.0.0.1:${server.port}/fire?version=${version}`, { method: 'POST' })).body.dump();
        return version;
      },
    };
  }
  const first = servers[0]!;
  const { seller, channel, products } = await benchChannel(first.url);
  const viewer = await signUp(first.url, 'viewer');
  let version = 0;
  return {
    operation: { query: SUB, variables: { id: channel } },
    token: viewer.token,
    async fire() {
      version = (await gql(first.url, HIGHLIGHT, { i: { channelId: channel, productId: products[version % 2] } }, seller.token)).highlightProduct.version as number;
      return version;
    },
  };
}

/**
 * The curve across processes and instances: for each size, fresh servers
 * (what one size leaves in a process's heap would flatter the next), a set of
 * subscribers spread over them, held by `loadProcesses` processes of their own
 * so that no client process passes its descriptor limit, and `changes`
 * changes made on the first server, each timed from the mutation to its
 * arrival at every subscriber. Memory is read after a full GC before and
 * after, and without one right after the changes.
 */
export async function runScaleSetup(setup: ScaleSetup, sizes: number[], changes: number, loadProcesses: number): Promise<ScalePoint[]> {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-scale-'));
  const points: ScalePoint[] = [];
  for (const size of sizes.filter((n) => n <= setup.maxSubscribers)) {
    const servers = await setup.start();
    try {
      const target = await targetOf(setup, servers);
      const before = await settledRss(servers);
      await printSpaces(servers, 'idle, after a full GC');
      const load = await startSubscriberLoad(
        { urls: servers.map((s) => s.url), count: size, query: target.operation.query, variables: target.operation.variables, token: target.token ?? '' },
        loadProcesses,
        (index, spec) => {
          const file = join(dir, `load-${index}.json`);
          writeFileSync(file, JSON.stringify(spec));
          return file;
        },
      );
      const times: number[] = [];
      const started = performance.now();
      for (let i = 0; i < changes; i++) {
        const t0 = performance.now();
        await load.waitForAll(await target.fire(), 120_000);
        times.push(performance.now() - t0);
      }
      const elapsed = (performance.now() - started) / 1000;
      const gained = totalRss(servers) - before;
      await printSpaces(servers, `${size} subscribers, after the changes`);
      const settled = (await settledRss(servers)) - before;
      await printSpaces(servers, `${size} subscribers, after a full GC`);
      await load.close();
      const { p50, p99 } = summary(times);
      points.push({
        subscribers: size,
        deliveriesPerSecond: round((size * changes) / elapsed, 0),
        p50Ms: p50,
        p99Ms: p99,
        settledBytesPerConnection: Math.round(settled / size),
        gainedBytesPerConnection: Math.round(gained / size),
        idleBytes: before,
      });
      process.stderr.write(`[bench] scale: ${setup.name}, ${size}: ${JSON.stringify(points.at(-1))}\n`);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  }
  return points;
}

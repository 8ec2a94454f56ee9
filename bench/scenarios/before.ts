import { gql, signUp } from '../lib/graphql.ts';
import { checkoutBefore, removeCheckout, type Started, startPlaza, startWriteBaseline } from '../lib/processes.ts';
import { type MemoryResult, runFanout } from './fanout.ts';
import { runMutations } from './mutations.ts';

export interface BeforeResult {
  ref: string;
  /** Without the baseline's memory: see `plazaOnly`. */
  fanout: Array<Omit<Awaited<ReturnType<typeof runFanout>>['fanout'][number], 'baselineBytesPerConnection'>>;
  memory: Pick<MemoryResult, 'connections' | 'plazaBytesPerConnection'>;
  /** Absent when only fan-out was asked for (BENCH_ONLY=fanout). */
  mutations?: Awaited<ReturnType<typeof runMutations>>;
}

/**
 * The same fan-out, memory and createPost scenarios against another checkout
 * of Plaza (`BENCH_BEFORE=<git ref>`), in the same run: a before/after that
 * the machine's noise cannot fake. It gets a database of its own.
 */
export async function runBefore(options: {
  ref: string;
  env: Record<string, string>;
  databaseUrl: string;
  baseline: Started;
  sizes: number[];
  changes: number;
  rounds: number;
  seconds: number;
  linkUrl: string;
  fanoutOnly?: boolean;
}): Promise<BeforeResult> {
  const dir = checkoutBefore(options.ref);
  let before: Started | undefined;
  try {
    before = await startPlaza({ ...options.env, DATABASE_URL: options.databaseUrl, RUN_WORKERS: 'false' }, [], dir);
    const { fanout, memory } = plazaOnly(await runFanout(before, options.baseline, options.sizes, options.changes, options.rounds));
    if (options.fanoutOnly) return { ref: options.ref, fanout, memory };
    const author = await signUp(before.url, 'author');
    const section = (await gql(before.url, 'mutation($i: CreateSectionInput!) { createSection(input: $i) { id } }', { i: { name: 'Bench', slug: `bench-${Date.now()}` } }, author.token)).createSection.id;
    const mutations = await runMutations(before.url, author.token, section, options.linkUrl, 32, options.seconds);
    return { ref: options.ref, fanout, memory, mutations };
  } finally {
    await before?.stop();
    removeCheckout(dir);
  }
}

/**
 * createPost alone, now against `ref`, alternating (now, before, now, ...) for
 * `rounds` rounds so that drift in the machine's load falls on both sides:
 * the medians and their ratio (`BENCH_ONLY=mutations`).
 */
export async function runMutationsAlternating(options: {
  ref: string;
  env: Record<string, string>;
  nowDatabaseUrl: string;
  beforeDatabaseUrl: string;
  linkUrl: string;
  seconds: number;
  rounds: number;
  /** Extra node arguments for each side (e.g. --cpu-prof), given the side's name. */
  nodeArgs?: (side: 'now' | 'before') => string[];
}) {
  const dir = checkoutBefore(options.ref);
  const started: Started[] = [];
  try {
    const now = await startPlaza({ ...options.env, DATABASE_URL: options.nowDatabaseUrl, RUN_WORKERS: 'false' }, options.nodeArgs?.('now'));
    started.push(now);
    const before = await startPlaza({ ...options.env, DATABASE_URL: options.beforeDatabaseUrl, RUN_WORKERS: 'false' }, options.nodeArgs?.('before'), dir);
    started.push(before);
    const targets = await Promise.all(
      [now, before].map(async (p) => {
        const author = await signUp(p.url, 'author');
        const section = (await gql(p.url, 'mutation($i: CreateSectionInput!) { createSection(input: $i) { id } }', { i: { name: 'Bench', slug: `bench-${Date.now()}` } }, author.token)).createSection.id;
        return { url: p.url, token: author.token, authorId: author.id as string, section };
      }),
    );
    // The bare writes (bench/baseline-writes.ts) into the now side's database, measured in each round beside it.
    const minimal = await startWriteBaseline(options.nowDatabaseUrl);
    started.push(minimal);
    const authorId = targets[0]!.authorId;
    const rates: [number[], number[]] = [[], []];
    const cpu: [number[], number[]] = [[], []];
    const dbCpu: [number[], number[]] = [[], []];
    const bare: number[] = [];
    const bareCpu: number[] = [];
    const bareDbCpu: number[] = [];
    const barePrepared: number[] = [];
    const barePreparedDbCpu: number[] = [];
    const trivialCpu: [number[], number[]] = [[], []];
    for (let round = 0; round < options.rounds; round++) {
      for (const side of [0, 1] as const) {
        const t = targets[side]!;
        const result = await runMutations(
          t.url,
          t.token,
          t.section,
          options.linkUrl,
          32,
          options.seconds,
          side === 0 ? { port: minimal.port, authorId, process: minimal } : undefined,
          started[side],
        );
        rates[side].push(result.createPost.requestsPerSecond);
        cpu[side].push(result.createPost.cpuMsPerRequest!);
        dbCpu[side].push(result.createPost.dbCpuMsPerRequest);
        trivialCpu[side].push(result.trivial.cpuMsPerRequest!);
        if (result.minimal) {
          bare.push(result.minimal.requestsPerSecond);
          bareCpu.push(result.minimal.cpuMsPerRequest!);
          bareDbCpu.push(result.minimal.dbCpuMsPerRequest);
        }
        if (result.minimalPrepared) {
          barePrepared.push(result.minimalPrepared.requestsPerSecond);
          barePreparedDbCpu.push(result.minimalPrepared.dbCpuMsPerRequest);
        }
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    return {
      ref: options.ref,
      nowRequestsPerSecond: rates[0],
      beforeRequestsPerSecond: rates[1],
      bareRequestsPerSecond: bare,
      nowOverBefore: Math.round((median(rates[0]) / median(rates[1])) * 100) / 100,
      nowOverBare: Math.round((median(rates[0]) / median(bare)) * 100) / 100,
      // The same bare writes as a named prepared statement, as Plaza sends its own.
      barePreparedRequestsPerSecond: barePrepared,
      nowOverBarePrepared: Math.round((median(rates[0]) / median(barePrepared)) * 100) / 100,
      // The server's own CPU per request (Plaza's process, the bare server's process): what each write costs in Node.
      cpuMsPerRequest: { now: cpu[0], before: cpu[1], bare: bareCpu },
      cpuNowOverBefore: Math.round((median(cpu[0]) / median(cpu[1])) * 100) / 100,
      // The local database's CPU per request (all postgres processes, so anything else the database does too).
      dbCpuMsPerRequest: { now: dbCpu[0], before: dbCpu[1], bare: bareDbCpu, barePrepared: barePreparedDbCpu },
      // The server's CPU per `{ __typename }`: what the HTTP and GraphQL layers cost before any resolver.
      trivialCpuMsPerRequest: { now: trivialCpu[0], before: trivialCpu[1] },
    };
  } finally {
    await Promise.allSettled(started.map((p) => p.stop()));
    removeCheckout(dir);
  }
}

/**
 * The baseline process has already served the now side's connections when the before side runs, so
 * its memory growth here says nothing (it read ~40 bytes per connection): only Plaza's is kept.
 */
function plazaOnly({ fanout, memory }: Awaited<ReturnType<typeof runFanout>>): Pick<BeforeResult, 'fanout' | 'memory'> {
  return {
    fanout: fanout.map(({ baselineBytesPerConnection: _unreliable, ...side }) => side),
    memory: { connections: memory.connections, plazaBytesPerConnection: memory.plazaBytesPerConnection },
  };
}

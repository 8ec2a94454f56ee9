import { gql, signUp } from '../lib/graphql.ts';
import { startOtlpSink } from '../lib/otlp-sink.ts';
import { checkoutBefore, removeCheckout, type Started, startPlaza } from '../lib/processes.ts';
import { percentile, round } from '../lib/stats.ts';

const median = (xs: number[]) => percentile(xs, 50);
import { openSubscribers } from '../lib/subscribers.ts';
import { benchChannel, type Block, HIGHLIGHT, sideOf, SUB, timeChanges, timedOn } from './fanout.ts';
import { runMutations } from './mutations.ts';

type SideName = 'on' | 'sampled' | 'off' | 'before';

/**
 * What tracing costs (`BENCH_ONLY=tracing`): the same Plaza with tracing on (OTLP/protobuf to a local sink
 * that drops the spans, the default sampler: every operation traced), on with one trace in ten sampled, and
 * off (no endpoint), and, with
 * BENCH_BEFORE, the checkout before tracing existed, off being compared with it. Fan-out (highlights to
 * `size` subscribers) and createPost, each side in turn, the order turning every round.
 */
export async function runTracingCost(options: {
  env: Record<string, string>;
  databaseUrls: Record<SideName, string>;
  beforeRef?: string;
  size: number;
  changes: number;
  rounds: number;
  seconds: number;
  linkUrl: string;
}) {
  const sink = await startOtlpSink();
  const exporting = { OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint, OTEL_SERVICE_NAME: 'plaza-bench' };
  // on: every operation traced (the default sampler); sampled: one trace in ten kept, as a busy deployment would.
  const traced: Record<SideName, Record<string, string>> = {
    on: exporting,
    sampled: { ...exporting, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' },
    off: {},
    before: {},
  };
  const dir = options.beforeRef ? checkoutBefore(options.beforeRef) : undefined;
  const started: Started[] = [];
  try {
    const names: SideName[] = dir ? ['off', 'on', 'sampled', 'before'] : ['off', 'on', 'sampled'];
    const sides = await Promise.all(
      names.map(async (name) => {
        const env = { ...options.env, DATABASE_URL: options.databaseUrls[name], RUN_WORKERS: 'false', ...traced[name] };
        const server = await startPlaza(env, [], name === 'before' ? dir : undefined);
        started.push(server);
        const viewer = await signUp(server.url, 'viewer');
        const author = await signUp(server.url, 'author');
        const section = (await gql(server.url, 'mutation($i: CreateSectionInput!) { createSection(input: $i) { id } }', { i: { name: 'Bench', slug: `bench-${Date.now()}` } }, author.token)).createSection.id;
        return { name, server, viewer, author, section, channel: await benchChannel(server.url), blocks: [] as Block[], next: 1, posts: [] as number[], postCpu: [] as number[] };
      }),
    );
    const perBlock = Math.max(1, Math.round(options.changes / options.rounds));
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        const { server, channel } = side;
        const pool = await openSubscribers(server.url, options.size, { query: SUB, variables: { id: channel.channel } }, side.viewer.token);
        const fire = async (v: number) =>
          void (await gql(server.url, HIGHLIGHT, { i: { channelId: channel.channel, productId: channel.products[v % 2] } }, channel.seller.token));
        side.blocks.push(await timedOn(server, () => timeChanges(side.next, perBlock, fire, (v) => pool.waitForAll(v))));
        side.next += perBlock;
        await pool.close();
        const posts = await runMutations(server.url, side.author.token, side.section, options.linkUrl, 32, options.seconds, undefined, server);
        side.posts.push(posts.createPost.requestsPerSecond);
        side.postCpu.push(posts.createPost.cpuMsPerRequest!);
        process.stderr.write(`tracing ${side.name} round ${round + 1}: createPost ${posts.createPost.requestsPerSecond}/s\n`);
      }
    }
    const figures = Object.fromEntries(
      sides.map((side) => {
        const fanout = sideOf(options.size, side.blocks);
        return [side.name, { fanout, createPostPerSecond: side.posts, createPostCpuMs: side.postCpu }];
      }),
    ) as Record<SideName, { fanout: ReturnType<typeof sideOf>; createPostPerSecond: number[]; createPostCpuMs: number[] }>;
    const ratios = (a: SideName, b: SideName) => ({
      deliveriesPerSecond: round(figures[a].fanout.deliveriesPerSecond / figures[b].fanout.deliveriesPerSecond),
      fanoutP50: round(figures[a].fanout.p50Ms / figures[b].fanout.p50Ms),
      fanoutCpuPerDelivery: round(figures[a].fanout.cpuMicrosPerDelivery! / figures[b].fanout.cpuMicrosPerDelivery!),
      createPostPerSecond: round(median(figures[a].createPostPerSecond) / median(figures[b].createPostPerSecond)),
      createPostCpu: round(median(figures[a].createPostCpuMs) / median(figures[b].createPostCpuMs)),
    });
    return {
      subscribers: options.size,
      rounds: options.rounds,
      sides: figures,
      onOverOff: ratios('on', 'off'),
      sampledOverOff: ratios('sampled', 'off'),
      ...(dir ? { offOverBefore: ratios('off', 'before'), beforeRef: options.beforeRef } : {}),
      sink: { requests: sink.requests(), bytes: sink.bytes() },
    };
  } finally {
    await Promise.allSettled(started.map((p) => p.stop()));
    await sink.close();
    if (dir) removeCheckout(dir);
  }
}

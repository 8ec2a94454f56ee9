/**
 * `npm run bench`: starts Plaza (two instances) and a hand-written baseline
 * against real PostgreSQL and Redis, drives them from this process over real
 * connections, and writes bench/results/<time>.{md,json} and a fan-out chart.
 *
 * Options (environment): BENCH_SIZES (default 1000,5000,10000), BENCH_CHANGES
 * (default 20), BENCH_FANOUT_ROUNDS (default 2: fan-out measured in that many blocks per side, Plaza and
 * the baseline taking turns, the order mirrored every other round), BENCH_SECONDS (default 5), BENCH_CPU_PROF=1 (profiles Plaza into
 * bench/results/profiles), BENCH_DATABASE_URL (an admin URL; default the local
 * server), BENCH_REDIS_URL (default redis://127.0.0.1:6379), BENCH_ONLY=fanout,
 * BENCH_ONLY=abuse (with BENCH_BEFORE: the same attacks on that checkout too) or BENCH_ONLY=resume (that scenario alone, printed, not written),
 * BENCH_ONLY=heap (what one idle subscribed connection holds, by kind, from two heap snapshots),
 * BENCH_ONLY=presence (10,000 viewers joining one channel in 10 s while highlights flow, with presence and without; BENCH_VIEWERS, BENCH_JOIN_SECONDS, BENCH_PRESENCE_WATCH=0),
 * BENCH_ONLY=links (the link pipeline alone, three runs; with BENCH_BEFORE: that checkout's too, runs alternating),
 * BENCH_ONLY=scraping (fan-out to 5,000 alone, then while the instance scrapes 100 pages/s, served from a process of their
 * own; BENCH_SCRAPING_PAGES=here serves them from this process, the load client, as the scenario first did),
 * BENCH_ONLY=search (BENCH_SEARCH_POSTS posts, default 1,000,000, then one- and three-word searches by 20 searchers through
 * Plaza and as a bare ranked statement, in turns; printed, not written),
 * BENCH_ONLY=tracing (fan-out to the first of BENCH_SIZES and createPost with OpenTelemetry tracing on, to a local sink, and off;
 * with BENCH_BEFORE that checkout too, untraced; BENCH_ROUNDS default 4; printed, not written),
 * BENCH_ONLY=mutations with BENCH_BEFORE (createPost now and before, alternating, BENCH_ROUNDS default 3),
 * BENCH_ONLY=blocking (postCreated to BENCH_BLOCKING_SUBSCRIBERS, default 10,000, users of their own: none blocking the poster, then 1%),
 * BENCH_ONLY=chat (channelChat to BENCH_CHAT_VIEWERS, default 5,000, 50 senders at 100 messages/s for BENCH_CHAT_SECONDS, default 30,
 * against the hand-written framing baseline; highlights alone and beside it; BENCH_CHAT_PROCESSES=2 runs the instance as two processes), BENCH_ONLY=claims (500 buyers at once for 50 units, 3 rounds),
 * BENCH_ONLY=views with BENCH_BEFORE (viewStory by BENCH_VIEWERS, default 2,000, distinct users of one story, now and before, alternating),
 * BENCH_ONLY=webhooks (2,000 posts over 20 sections delivered to a local receiver: events/s and lag),
 * BENCH_ONLY=soak (a day of churn compressed into BENCH_SOAK_MINUTES, default 15, sampled each minute; printed, not written),
 * BENCH_BEFORE=<git ref> (fan-out, memory and createPost of that checkout too, in the same run).
 */
import { spawnSync } from 'node:child_process';
import { cpus, totalmem, userInfo } from 'node:os';
import { resolve } from 'node:path';
import pg from 'pg';
import { closeAgent, gql, signUp } from './lib/graphql.ts';
import { startPageServer } from './lib/page-server.ts';
import { checkoutBefore, removeCheckout, type Started, startBaseline, startChatBaseline, startPageServerProcess, startPlaza, startPlazaProcesses, startWriteBaseline } from './lib/processes.ts';
import { type BenchReport, markdown, scaleAcrossMarkdown, writeReport, writeScaleChart } from './lib/report.ts';
import { runFanout, runFanoutAcross } from './scenarios/fanout.ts';
import { runAbuse } from './scenarios/abuse.ts';
import { runBefore, runMutationsAlternating } from './scenarios/before.ts';
import { runResume } from './scenarios/resume.ts';
import { runBlockingFanout } from './scenarios/blocking.ts';
import { runChat, runClaims } from './scenarios/chat.ts';
import { runViewsAlternating } from './scenarios/views.ts';
import { runWebhookThroughput } from './scenarios/webhooks.ts';
import { type RelayCost, runRelayCost } from './scenarios/relay.ts';
import { runIdleFootprint } from './scenarios/idle.ts';
import { runScaleSetup, type ScaleResult, type ScaleSetup } from './scenarios/scale.ts';
import { startLocalCluster } from '../test/helpers/redis-cluster.ts';
import { runFanoutWhileScraping } from './scenarios/scraping.ts';
import { runHeapBreakdown } from './scenarios/heap.ts';
import { benchViewers, runPresenceJoin } from './scenarios/presence.ts';
import { round } from './lib/stats.ts';
import { runAcrossInstances } from './scenarios/instances.ts';
import { fixturePages, runLinkPipeline, runLinkRounds } from './scenarios/links.ts';
import { runMutations } from './scenarios/mutations.ts';
import { runTracingCost } from './scenarios/tracing.ts';
import { runSearch } from './scenarios/search.ts';
import { runSoak, soakMarkdown } from './scenarios/soak.ts';
import { Redis } from 'ioredis';
import { findFreePort } from '../src/lib/ports.ts';

const sizes = (process.env.BENCH_SIZES ?? '1000,5000,10000').split(',').map(Number);
const changes = Number(process.env.BENCH_CHANGES ?? 20);
const rounds = Number(process.env.BENCH_FANOUT_ROUNDS ?? 2);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
/** BENCH_ONLY=fanout stops after the fan-out and memory scenarios (for profiling). */
const fanoutOnly = process.env.BENCH_ONLY === 'fanout';
const abuseOnly = process.env.BENCH_ONLY === 'abuse';
const resumeOnly = process.env.BENCH_ONLY === 'resume';
const mutationsOnly = process.env.BENCH_ONLY === 'mutations';
const tracingOnly = process.env.BENCH_ONLY === 'tracing';
const searchOnly = process.env.BENCH_ONLY === 'search';
const scrapingOnly = process.env.BENCH_ONLY === 'scraping';
const heapOnly = process.env.BENCH_ONLY === 'heap';
const presenceOnly = process.env.BENCH_ONLY === 'presence';
const linksOnly = process.env.BENCH_ONLY === 'links';
const soakOnly = process.env.BENCH_ONLY === 'soak';
const blockingOnly = process.env.BENCH_ONLY === 'blocking';
const blockingSubscribers = Number(process.env.BENCH_BLOCKING_SUBSCRIBERS ?? 10_000);
const chatOnly = process.env.BENCH_ONLY === 'chat';
const claimsOnly = process.env.BENCH_ONLY === 'claims';
const chatOptions = {
  viewers: Number(process.env.BENCH_CHAT_VIEWERS ?? 5_000),
  senders: 50,
  rate: 100,
  seconds: Number(process.env.BENCH_CHAT_SECONDS ?? 30),
  highlightViewers: 1_000,
  highlightChanges: 100,
};
const claimOptions = { buyers: 500, stock: 50, rounds: 3 };
const viewsOnly = process.env.BENCH_ONLY === 'views';
const webhooksOnly = process.env.BENCH_ONLY === 'webhooks';
const relayOnly = process.env.BENCH_ONLY === 'relay';
const scaleOnly = process.env.BENCH_ONLY === 'scale';
const idleOnly = process.env.BENCH_ONLY === 'idle';
const scaleSizes = (process.env.BENCH_SCALE_SIZES ?? '1000,5000,10000,20000,30000').split(',').map(Number);
const beforeRef = process.env.BENCH_BEFORE;
const adminUrl = process.env.BENCH_DATABASE_URL ?? `postgres://${userInfo().username}@127.0.0.1:5432/postgres`;
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

async function admin(statement: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(statement);
  await client.end();
}

/** Runs `work` against a database of its own on the bench's server, dropped afterwards. */
async function withDatabase<R>(name: string, work: (databaseUrl: string) => Promise<R>): Promise<R> {
  await admin(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    return await work(url.toString());
  } finally {
    await admin(`drop database if exists ${name} with (force)`).catch(() => {});
  }
}

/**
 * The relay beside 1,000 and 1,000,000 stream rows, 10 of them active at 200 events/s, each in a database of
 * its own: its cost per second at both sizes and their ratio (BENCH_ONLY=relay; also in the full run).
 */
async function relayCosts(): Promise<{ small: RelayCost; large: RelayCost; ratio: { cpu: number; statements: number; queryTime: number } }> {
  const measure = (streams: number) => {
    log(`relay: ${streams.toLocaleString('en')} stream rows, 10 active at 200 events/s`);
    return withDatabase(`plaza_bench_relay_${Date.now()}`, (databaseUrl) => runRelayCost(databaseUrl, redisUrl, { streams, active: 10, rate: 200, seconds: 20 }));
  };
  const small = await measure(1_000);
  const large = await measure(1_000_000);
  return {
    small,
    large,
    ratio: {
      cpu: round(large.cpuMsPerSecond / small.cpuMsPerSecond),
      statements: round(large.statementsPerSecond / small.statementsPerSecond),
      queryTime: round(large.queryMsPerSecond / small.queryMsPerSecond),
    },
  };
}

/** The descriptors one process may hold here (`ulimit -n`): a server or client process past it cannot be measured. */
const descriptorLimit = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim()) || 1024;

/**
 * The scale curve across processes and instances (BENCH_ONLY=scale; also in the full run): highlight fan-out
 * at BENCH_SCALE_SIZES on one process, one instance of 2 processes, two instances on one Redis, two on a
 * local Redis Cluster (3 masters, 3 replicas), and the hand-written baseline; fresh servers for every point,
 * subscribers held by 2 load processes.
 */
async function scaleCurve(env: Record<string, string>): Promise<ScaleResult> {
  const cluster = await startLocalCluster();
  const perProcess = descriptorLimit - 500;
  const { REDIS_URL: _single, ...withoutRedis } = env;
  const clusterEnv = { ...withoutRedis, REDIS_CLUSTER_NODES: cluster.nodes.slice(0, 3).join(',') };
  const setups: ScaleSetup[] = [
    { name: 'baseline (hand-written, 1 process)', raw: true, maxSubscribers: perProcess, start: async () => [await startBaseline()] },
    { name: '1 instance, 1 process', maxSubscribers: perProcess, start: async () => [await startPlaza(env)] },
    { name: '1 instance, 2 processes', maxSubscribers: 2 * perProcess, start: async () => [await startPlazaProcesses(env, 2)] },
    {
      name: '2 instances, one Redis',
      maxSubscribers: 2 * perProcess,
      start: async () => Promise.all([startPlaza(env), startPlaza({ ...env, RUN_WORKERS: 'false' })]),
    },
    {
      name: '2 instances, Redis Cluster',
      maxSubscribers: 2 * perProcess,
      start: async () => Promise.all([startPlaza(clusterEnv), startPlaza({ ...clusterEnv, RUN_WORKERS: 'false' })]),
    },
  ];
  const changes = 20;
  const result: ScaleResult = { changes, loadProcesses: 2, setups: [] };
  try {
    for (const setup of setups) {
      log(`scale: ${setup.name} at ${scaleSizes.filter((n) => n <= setup.maxSubscribers).join(', ')}`);
      result.setups.push({ name: setup.name, points: await runScaleSetup(setup, scaleSizes, changes, 2) });
    }
  } finally {
    await cluster.stop();
  }
  return result;
}

async function main() {
  const startedAt = new Date().toISOString();
  const database = `plaza_bench_${Date.now()}`;
  await admin(`create database ${database}`);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const pages = await startPageServer(fixturePages());
  const shared = {
    DATABASE_URL: url.toString(),
    REDIS_URL: redisUrl,
    JWT_SECRET: 'benchmark-secret-benchmark-secret-0123456789',
    LINK_FETCH_ALLOW_HOSTS: pages.hosts,
    CHANNEL_HIGHLIGHT_LIMIT: '100000000',
    MAX_WS_MESSAGE_BYTES: '100000',
  };
  // Thousands of sockets from a handful of users, mutations as fast as they go: caps and rate limits off.
  const env = {
    ...shared,
    MAX_CONNECTIONS: '0',
    MAX_CONNECTIONS_PER_USER: '0',
    MAX_SUBSCRIPTIONS_PER_CONNECTION: '0',
    RATE_LIMIT_MULTIPLIER: '0',
  };
  // The abuse scenario runs against a production instance with the defaults; only sign-ups (its 50 viewers come
  // from one address) are opened up, and the attacker's own web (its crafted pages) is an allowed host.
  const attackPagesPort = await findFreePort();
  const defaults = {
    ...shared,
    NODE_ENV: 'production',
    RATE_LIMIT_SIGN_UP: '100000/60',
    LINK_FETCH_ALLOW_HOSTS: `${shared.LINK_FETCH_ALLOW_HOSTS},127.0.0.1:${attackPagesPort}`,
  };
  const abuseOptions = { pagesPort: attackPagesPort, ordinaryPage: pages.url('/bbc') };
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir=bench/results/profiles'] : [];
  const running: Started[] = [];
  /** The same scenarios against another checkout, in a database of its own (BENCH_BEFORE). */
  const runBeforeIn = async (ref: string, options: { env: Record<string, string>; baseline: Started; fanoutOnly?: boolean }) => {
    log(`before: ${ref}, same scenarios`);
    return withDatabase(`${database}_before`, (databaseUrl) =>
      runBefore({ ref, ...options, databaseUrl, sizes, changes, rounds, seconds, linkUrl: pages.url('/bbc') }),
    );
  };
  try {
    if (abuseOnly) {
      log('abuse: six attacks at once against an instance with the default limits');
      const target = await startPlaza(defaults, profile);
      running.push(target);
      const now = await runAbuse(target, abuseOptions);
      if (!beforeRef) return void process.stdout.write(`${JSON.stringify(now, null, 2)}\n`);
      await target.stop();
      running.pop();
      // The same attacks against the code at BENCH_BEFORE, in a database of its own.
      await withDatabase(`${database}_before`, async (beforeUrl) => {
        const dir = checkoutBefore(beforeRef);
        try {
          const earlier = await startPlaza({ ...defaults, DATABASE_URL: beforeUrl }, profile, dir);
          running.push(earlier);
          const before = await runAbuse(earlier, abuseOptions);
          process.stdout.write(`${JSON.stringify({ now, before: { ref: beforeRef, ...before } }, null, 2)}\n`);
        } finally {
          removeCheckout(dir);
        }
      });
      return;
    }
    if (idleOnly) {
      const steps = await runIdleFootprint(env);
      process.stdout.write(`${steps.map((s) => `| ${s.step} | ${s.rssMB} | ${s.addedMB} |`).join('\n')}\n`);
      return;
    }
    if (scaleOnly) {
      const scale = await scaleCurve(env);
      process.stdout.write(`${scaleAcrossMarkdown(scale)}\n`);
      writeScaleChart(scale);
      return;
    }
    if (relayOnly) {
      process.stdout.write(`${JSON.stringify(await relayCosts(), null, 2)}\n`);
      return;
    }
    if (webhooksOnly) {
      log('webhooks: 2,000 posts over 20 sections delivered to a local receiver');
      const receiverPort = await findFreePort();
      const adminUsername = `benchadmin_${Date.now().toString(36)}`;
      const target = await startPlaza({ ...env, ADMIN_USERNAMES: adminUsername, WEBHOOK_ALLOW_HOSTS: `127.0.0.1:${receiverPort}` }, profile);
      running.push(target);
      const result = await runWebhookThroughput(target, { adminUsername, receiverPort, events: 2_000, streams: 20 });
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    if (viewsOnly) {
      if (!beforeRef) throw new Error('BENCH_ONLY=views compares against BENCH_BEFORE=<git ref>');
      log(`viewStory now and at ${beforeRef}, alternating`);
      await withDatabase(`${database}_before`, async (beforeUrl) => {
        const result = await runViewsAlternating({
          ref: beforeRef,
          env,
          nowDatabaseUrl: url.toString(),
          beforeDatabaseUrl: beforeUrl,
          jwtSecret: shared.JWT_SECRET,
          viewers: Number(process.env.BENCH_VIEWERS ?? 2_000),
          rounds: Number(process.env.BENCH_ROUNDS ?? 4),
        });
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      });
      return;
    }
    if (searchOnly) {
      const count = Number(process.env.BENCH_SEARCH_POSTS ?? 1_000_000);
      log(`search over ${count} posts: Plaza's search against the bare ranked statement, 20 searchers`);
      const target = await startPlaza({ ...env, RUN_WORKERS: 'false' });
      running.push(target);
      const result = await runSearch(target, url.toString(), { count, seconds, concurrency: 20, rounds: Number(process.env.BENCH_ROUNDS ?? 3) });
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    if (tracingOnly) {
      log(`tracing on and off${beforeRef ? `, and ${beforeRef}` : ''}: fan-out to ${sizes[0]} and createPost, in turns`);
      await withDatabase(`${database}_on`, (onUrl) =>
        withDatabase(`${database}_sampled`, (sampledUrl) => withDatabase(`${database}_before`, async (beforeUrl) => {
          const result = await runTracingCost({
            env,
            databaseUrls: { off: url.toString(), on: onUrl, sampled: sampledUrl, before: beforeUrl },
            beforeRef,
            size: sizes[0]!,
            changes,
            rounds: Number(process.env.BENCH_ROUNDS ?? 4),
            seconds,
            linkUrl: pages.url('/bbc'),
          });
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        })),
      );
      return;
    }
    if (mutationsOnly) {
      if (!beforeRef) throw new Error('BENCH_ONLY=mutations compares against BENCH_BEFORE=<git ref>');
      log(`createPost now and at ${beforeRef}, alternating`);
      await withDatabase(`${database}_before`, async (beforeUrl) => {
        const result = await runMutationsAlternating({
          ref: beforeRef,
          env,
          nowDatabaseUrl: url.toString(),
          beforeDatabaseUrl: beforeUrl,
          linkUrl: pages.url('/bbc'),
          seconds,
          rounds: Number(process.env.BENCH_ROUNDS ?? 3),
          nodeArgs: (side) => (profile.length > 0 ? ['--cpu-prof', `--cpu-prof-dir=${resolve('bench/results/profiles', side)}`] : []),
        });
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      });
      return;
    }
    if (presenceOnly) {
      log('presence: 10,000 viewers join one channel in 10 s while highlights flow, with presence and with PRESENCE=off');
      const sides: Record<string, Awaited<ReturnType<typeof runPresenceJoin>>> = {};
      let tokens: string[] | null = null;
      for (const [name, presence] of [['withPresence', true], ['withoutPresence', false]] as const) {
        const target = await startPlaza({ ...env, ...(presence ? {} : { PRESENCE: 'off' }) }, profile);
        running.push(target);
        // Users straight into the (now migrated) database: 10,000 sign-ups would take minutes of password hashing.
        tokens ??= await benchViewers(url.toString(), shared.JWT_SECRET, Number(process.env.BENCH_VIEWERS ?? 10_000));
        sides[name] = await runPresenceJoin(target, tokens, {
          presence,
          // BENCH_PRESENCE_WATCH=0: viewers are counted but do not watch the count (no channelPresence).
          watchCount: process.env.BENCH_PRESENCE_WATCH !== '0',
          joinSeconds: Number(process.env.BENCH_JOIN_SECONDS ?? 10),
        });
        await target.stop();
        running.pop();
      }
      const p99Ratio = round(sides.withPresence!.highlightP99Ms / sides.withoutPresence!.highlightP99Ms);
      process.stdout.write(`${JSON.stringify({ ...sides, highlightP99WithOverWithout: p99Ratio }, null, 2)}\n`);
      return;
    }
    if (heapOnly) {
      log('heap: snapshots before and after 2,000 idle subscribed connections');
      process.stdout.write(`${JSON.stringify(await runHeapBreakdown(env), null, 2)}\n`);
      return;
    }
    if (scrapingOnly) {
      log('fan-out at 5,000 subscribers alone, then while scraping 100 pages/s');
      const names = [...fixturePages().keys()];
      // The web it scrapes is not the load client: 100 pages/s (~25 MB/s) served here would hold up this
      // process's event loop while it times deliveries.
      const web = process.env.BENCH_SCRAPING_PAGES === 'here' ? null : await startPageServerProcess(names);
      try {
        const target = await startPlaza({ ...env, LINK_FETCH_ALLOW_HOSTS: (web ?? pages).hosts }, profile);
        running.push(target);
        const result = await runFanoutWhileScraping(target, web ?? pages, names, { size: 5_000, changes: changes, pagesPerSecond: 100 });
        process.stdout.write(`${JSON.stringify({ ...result, pagesServedFrom: web ? 'a process of their own' : 'the load client' }, null, 2)}\n`);
      } finally {
        await web?.stop();
      }
      return;
    }
    if (linksOnly) {
      log('link pipeline: overhead one link at a time, then the 45 pages at once; three runs');
      const rounds = (before?: { ref: string; databaseUrl: string }) =>
        runLinkRounds({ env, nodeArgs: profile, pages, names: [...fixturePages().keys()], before, running });
      const results = beforeRef
        ? await withDatabase(`${database}_before`, (databaseUrl) => rounds({ ref: beforeRef, databaseUrl }))
        : await rounds();
      process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      return;
    }
    if (soakOnly) {
      const minutes = Number(process.env.BENCH_SOAK_MINUTES ?? 15);
      log(`soak: ${minutes} minutes of churn`);
      // A Redis database of its own (its key count is the instance's), and events kept 3 minutes, so that what the
      // retention bounds is seen bounded within the run.
      const soakRedis = `${redisUrl.replace(/\/\d*$/, '')}/9`;
      const flush = new Redis(soakRedis);
      await flush.flushdb();
      flush.disconnect();
      const metricsToken = 'soak-metrics-token-0123456789';
      const target = await startPlaza({ ...env, REDIS_URL: soakRedis, METRICS_TOKEN: metricsToken, EVENT_RETENTION_HOURS: '0.05' }, profile);
      running.push(target);
      const result = await runSoak(target, { minutes, databaseUrl: shared.DATABASE_URL, redisUrl: soakRedis, metricsToken, page: pages.url('/bbc') });
      process.stdout.write(`${soakMarkdown(result)}\n${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    if (blockingOnly) {
      log(`blocking: postCreated to ${blockingSubscribers} users, none and 1% blocking the poster`);
      const target = await startPlaza(env, profile);
      running.push(target);
      const result = await runBlockingFanout(target, { databaseUrl: url.toString(), jwtSecret: shared.JWT_SECRET, count: blockingSubscribers, posts: changes });
      process.stdout.write(`${JSON.stringify(result, null, 2)}
`);
      return;
    }
    if (chatOnly || claimsOnly) {
      // Its event loop and garbage collection are read from /metrics over the chat's blocks.
      const metricsToken = 'chat-metrics-token-0123456789';
      // BENCH_CHAT_PROCESSES=2: the instance as PLAZA_PROCESSES=2 (its CPU summed over the processes).
      const processes = Number(process.env.BENCH_CHAT_PROCESSES ?? 1);
      const target =
        processes > 1
          ? await startPlazaProcesses({ ...env, METRICS_TOKEN: metricsToken }, processes)
          : await startPlaza({ ...env, METRICS_TOKEN: metricsToken }, profile);
      running.push(target);
      const accounts = { databaseUrl: url.toString(), jwtSecret: shared.JWT_SECRET };
      if (claimsOnly) {
        log('claims: 500 buyers at once for 50 units, 3 rounds');
        return void process.stdout.write(`${JSON.stringify(await runClaims(target, { ...accounts, ...claimOptions }), null, 2)}\n`);
      }
      log(`chat: ${chatOptions.viewers} viewers, ${chatOptions.senders} senders at ${chatOptions.rate} messages/s for ${chatOptions.seconds} s, then highlights beside it`);
      const chatBaseline = await startChatBaseline();
      running.push(chatBaseline);
      return void process.stdout.write(`${JSON.stringify(await runChat(target, chatBaseline, { ...accounts, ...chatOptions, metricsToken }), null, 2)}\n`);
    }
    if (resumeOnly) {
      log('resume: 1,000 subscribers reconnecting at once after missing 100 events each');
      const target = await startPlaza(env, profile);
      running.push(target);
      process.stdout.write(`${JSON.stringify(await runResume(target), null, 2)}\n`);
      return;
    }
    log('starting Plaza and the baseline');
    const plaza = await startPlaza(env, profile);
    running.push(plaza);
    const baseline = await startBaseline();
    running.push(baseline);

    log(`fan-out at ${sizes.join(', ')} subscribers, ${changes} changes each`);
    const { fanout, memory } = await runFanout(plaza, baseline, sizes, changes, rounds);

    if (fanoutOnly) {
      const before = beforeRef ? await runBeforeIn(beforeRef, { env, baseline, fanoutOnly: true }) : undefined;
      const ratios = before && {
        deliveries: fanout.map((f, i) => Math.round((f.plaza.deliveriesPerSecond / before.fanout[i]!.plaza.deliveriesPerSecond) * 100) / 100),
        p50: fanout.map((f, i) => Math.round((f.plaza.p50Ms / before.fanout[i]!.plaza.p50Ms) * 100) / 100),
        memory: Math.round((memory.plazaBytesPerConnection / before.memory.plazaBytesPerConnection) * 100) / 100,
      };
      process.stdout.write(`${JSON.stringify({ fanout, memory, ...(before ? { before, nowOverBefore: ratios } : {}) }, null, 2)}\n`);
      return;
    }
    log(`blocking: postCreated to ${blockingSubscribers} users, none and 1% blocking the poster`);
    const blocking = await runBlockingFanout(plaza, { databaseUrl: url.toString(), jwtSecret: shared.JWT_SECRET, count: blockingSubscribers, posts: changes });
    log(`chat: ${chatOptions.viewers} viewers, ${chatOptions.senders} senders at ${chatOptions.rate} messages/s, against the framing baseline`);
    const chatBaseline = await startChatBaseline();
    running.push(chatBaseline);
    const chat = await runChat(plaza, chatBaseline, { databaseUrl: url.toString(), jwtSecret: shared.JWT_SECRET, ...chatOptions });
    await chatBaseline.stop();
    log('claims: 500 buyers at once for 50 units');
    const claims = await runClaims(plaza, { databaseUrl: url.toString(), jwtSecret: shared.JWT_SECRET, ...claimOptions });

    const author = await signUp(plaza.url, 'author');
    log('link pipeline');
    const names = [...fixturePages().keys()];
    const linkSection = (await gql(plaza.url, 'mutation($i: CreateSectionInput!) { createSection(input: $i) { id } }', { i: { name: 'Links', slug: `links-${Date.now()}` } }, author.token)).createSection.id;
    const links = await runLinkPipeline(plaza.url, author.token, linkSection, pages, names, 60);

    log('across instances');
    const second = await startPlaza({ ...env, RUN_WORKERS: 'false' });
    running.push(second);
    const instances = await runAcrossInstances(plaza, second, 100, 300, 4);
    log(`fan-out across instances at ${sizes.join(', ')} subscribers`);
    const acrossFanout = await runFanoutAcross(plaza, second, sizes, changes);

    log('resume: 1,000 subscribers reconnecting at once after missing 100 events each');
    const resume = await runResume(second);

    // Last: every createPost here queues a link job. Measured on the instance without workers, with the
    // other one stopped, so the request path is timed and not the fetches it enqueues.
    log('mutations');
    await plaza.stop();
    const section = (await gql(second.url, 'mutation($i: CreateSectionInput!) { createSection(input: $i) { id } }', { i: { name: 'Bench', slug: `bench-${Date.now()}` } }, author.token)).createSection.id;
    const minimal = await startWriteBaseline(url.toString());
    running.push(minimal);
    const mutations = await runMutations(second.url, author.token, section, pages.url('/bbc'), 32, seconds, { port: minimal.port, authorId: author.id });
    await minimal.stop();
    await second.stop();

    log('abuse: six attacks at once against an instance with the default limits');
    const target = await startPlaza(defaults);
    running.push(target);
    const abuse = await runAbuse(target, abuseOptions);
    await target.stop();

    log('scale: across processes, instances and a Redis Cluster');
    const scale = await scaleCurve(env);
    log('relay: its cost beside 1,000 and 1,000,000 streams');
    const relay = await relayCosts();

    const before = beforeRef ? await runBeforeIn(beforeRef, { env, baseline }) : undefined;

    const report: BenchReport = {
      startedAt,
      machine: { node: process.version, cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) },
      command: `npm run bench${process.env.BENCH_SIZES ? ` (BENCH_SIZES=${process.env.BENCH_SIZES})` : ''}${beforeRef ? ` (BENCH_BEFORE=${beforeRef})` : ''}`,
      fanout,
      memory,
      blocking,
      chat,
      claims,
      mutations,
      links,
      instances,
      acrossFanout,
      scale,
      relay,
      resume,
      abuse,
      ...(before ? { before } : {}),
    };
    const path = writeReport(report);
    process.stdout.write(`${markdown(report)}\nWritten to ${path}\n`);
  } finally {
    await Promise.allSettled(running.map((p) => p.stop()));
    await pages.close();
    await closeAgent();
    await admin(`drop database if exists ${database} with (force)`).catch(() => {});
  }
}

main().catch((err) => {
  process.stderr.write(`benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

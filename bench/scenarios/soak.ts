import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { gql, signUp } from '../lib/graphql.ts';
import type { Started } from '../lib/processes.ts';
import { SoakClient } from '../lib/soak-client.ts';
import { summary } from '../lib/stats.ts';

export interface SoakOptions {
  minutes: number;
  databaseUrl: string;
  /** A Redis database of the soak's own: its key count is the instance's. */
  redisUrl: string;
  metricsToken: string;
  /** A page the posts link to (a query string makes each link new). */
  page: string;
}

export interface SoakSample {
  minute: number;
  rssMiB: number;
  heapMiB: number;
  /** Memory outside V8's heap held by JS objects (Buffers): the fetched pages. */
  externalMiB: number;
  openFds: number;
  pgConnections: number;
  redisKeys: number;
  events: number;
  jobs: number;
  openConnections: number;
  deliveryP99Ms: number;
  deliveries: number;
}

export interface SoakResult {
  minutes: number;
  clients: number;
  samples: SoakSample[];
  /** The same read once every client has left, and before any came. */
  idle: { before: SoakSample; after: SoakSample };
  /** Growth from minute 3 to the last, as a fraction (0.05 = 5 %). */
  heapGrowth: number;
  rssGrowth: number;
  /** Delivery p99 of the last minute over the third's. */
  p99Ratio: number;
}

const CLIENTS = 120;
const USERS = 12;

/**
 * A day of churn, compressed: 120 app connections (12 users, 10 each) follow
 * a section, a live channel and their own story activity with every kind of
 * subscription; every few seconds some lose their connection without a word
 * and come back resuming their posts from their cursor; posts with links,
 * reactions, stories and their views, and highlights flow at a steady rate; a
 * new channel opens every minute and the viewers move to it (the one before
 * closes). Each minute, after a full GC, what the instance holds is read.
 */
export async function runSoak(plaza: Started, options: SoakOptions): Promise<SoakResult> {
  const users = await Promise.all(Array.from({ length: USERS }, (_, i) => signUp(plaza.url, `soak${i}`)));
  const writer = await signUp(plaza.url, 'soakwriter');
  const seller = await signUp(plaza.url, 'soakseller');
  const sectionId = (await gql(plaza.url, 'mutation($i: CreateSectionInput!) { createSection(input: $i) { id } }', { i: { name: 'Soak', slug: `soak-${Date.now()}` } }, writer.token)).createSection.id;
  const openChannel = async (n: number) => {
    const id = (await gql(plaza.url, 'mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }', { i: { name: `Soak ${n}` } }, seller.token)).createChannel.id as string;
    const products: string[] = [];
    for (const name of ['A', 'B']) {
      const input = { channelId: id, name, priceCents: 100, currency: 'EUR' };
      products.push((await gql(plaza.url, 'mutation($i: AddProductInput!) { addProduct(input: $i) { id } }', { i: input }, seller.token)).addProduct.id);
    }
    return { id, products };
  };
  let channel = await openChannel(0);

  const database = new pg.Client({ connectionString: options.databaseUrl });
  await database.connect();
  const redis = new Redis(options.redisUrl);
  const sample = async (minute: number, latencies: number[]): Promise<SoakSample> => {
    plaza.child.kill('SIGWINCH');
    await sleep(1_000);
    const metrics = await (await fetch(plaza.url.replace('/graphql', '/metrics'), { headers: { authorization: `Bearer ${options.metricsToken}` } })).text();
    const metric = (name: string) =>
      metrics
        .split('\n')
        .filter((line) => line.startsWith(name))
        .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
    const count = async (statement: string) => Number((await database.query(statement)).rows[0].n);
    const delivery = summary(latencies.length > 0 ? latencies : [0]);
    return {
      minute,
      rssMiB: Math.round((plaza.rss() / 1_048_576) * 10) / 10,
      heapMiB: Math.round((metric('nodejs_heap_size_used_bytes') / 1_048_576) * 10) / 10,
      externalMiB: Math.round((metric('nodejs_external_memory_bytes') / 1_048_576) * 10) / 10,
      openFds: metric('process_open_fds'),
      pgConnections: await count('select count(*) as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()'),
      redisKeys: await redis.dbsize(),
      events: await count('select count(*) as n from events'),
      jobs: await count('select count(*) as n from pgboss.job'),
      openConnections: metric('plaza_open_connections'),
      deliveryP99Ms: delivery.p99,
      deliveries: latencies.length,
    };
  };
  const before = await sample(0, []);

  // Highlight deliveries, timed from the mutation to each client.
  const fired = new Map<string, number>();
  let latencies: number[] = [];
  const onHighlight = (channelId: string, version: number) => {
    const at = fired.get(`${channelId}:${version}`);
    if (at !== undefined) latencies.push(performance.now() - at);
  };
  const clients = users.flatMap((user, u) =>
    Array.from({ length: CLIENTS / USERS }, (_, i) => new SoakClient(plaza.url, user.token, `127.0.0.${2 + ((u * 10 + i) % 200)}`, { sectionId, channelId: channel.id }, onHighlight)),
  );
  for (const client of clients) await client.connect();

  let running = true;
  const every = (ms: number, step: () => Promise<unknown>) =>
    (async () => {
      while (running) {
        const started = performance.now();
        await step().catch(() => {});
        await sleep(Math.max(0, ms - (performance.now() - started)));
      }
    })();
  let n = 0;
  const versions = new Map<string, number>();
  const posts: string[] = [];
  const loops = [
    // Posts with a link, four a second.
    every(250, async () => {
      const link = `${options.page}?soak=${n++}`;
      const created = await gql(plaza.url, 'mutation($i: CreatePostInput!) { createPost(input: $i) { id } }', { i: { sectionId, content: `soak ${n}`, links: [link] } }, writer.token);
      posts.push(created.createPost.id);
      if (posts.length > 50) posts.shift();
    }),
    // Reactions on recent posts, toggled by the viewers, five a second.
    every(200, async () => {
      const user = users[n % users.length]!;
      const postId = posts[n % Math.max(1, posts.length)];
      if (!postId) return;
      const verb = n % 2 === 0 ? 'addReaction' : 'removeReaction';
      await gql(plaza.url, `mutation($p: ID!) { ${verb}(input: { postId: $p, emoji: "👍" }) { id } }`, { p: postId }, user.token);
    }),
    // A story every 5 s, viewed by every viewer.
    every(5_000, async () => {
      const storyId = (await gql(plaza.url, 'mutation($i: CreateStoryInput!) { createStory(input: $i) { id } }', { i: { mediaUrl: 'https://cdn.example/s.jpg' } }, writer.token)).createStory.id;
      for (const user of users) await gql(plaza.url, 'mutation($s: ID!) { viewStory(storyId: $s) { id } }', { s: storyId }, user.token);
    }),
    // Highlights, two a second: each channel's versions count up from 1, so each is timed before it is sent.
    every(500, async () => {
      const current = channel;
      const version = (versions.get(current.id) ?? 0) + 1;
      versions.set(current.id, version);
      fired.set(`${current.id}:${version}`, performance.now());
      await gql(plaza.url, 'mutation($i: HighlightProductInput!) { highlightProduct(input: $i) { version } }', { i: { channelId: current.id, productId: current.products[version % 2] } }, seller.token);
    }),
    // Some connections lost without a word, back at once: 5 % every 3 s.
    every(3_000, async () => {
      for (let i = 0; i < CLIENTS / 20; i++) await clients[Math.floor(Math.random() * clients.length)]!.drop();
    }),
  ];

  const samples: SoakSample[] = [];
  const started = Date.now();
  for (let minute = 1; minute <= options.minutes; minute++) {
    await sleep(Math.max(0, started + minute * 60_000 - Date.now()));
    // A channel closes, a new one opens: everyone moves.
    channel = await openChannel(minute);
    for (const client of clients) client.move(channel.id);
    const minuteLatencies = latencies;
    latencies = [];
    // Only the open channel's changes are still timed.
    for (const key of fired.keys()) if (!key.startsWith(channel.id)) fired.delete(key);
    samples.push(await sample(minute, minuteLatencies));
    process.stderr.write(`[bench] soak minute ${minute}: ${JSON.stringify(samples.at(-1))}\n`);
  }
  running = false;
  await Promise.all(loops);
  await Promise.all(clients.map((client) => client.close()));
  // Leases and presence let go of what the clients held (a connection's close is seen at once).
  await sleep(5_000);
  const after = await sample(options.minutes + 1, []);
  await database.end();
  redis.disconnect();

  const third = samples[Math.min(2, samples.length - 1)]!;
  const last = samples.at(-1)!;
  const growth = (from: number, to: number) => Math.round(((to - from) / from) * 1000) / 1000;
  return {
    minutes: options.minutes,
    clients: CLIENTS,
    samples,
    idle: { before, after },
    heapGrowth: growth(third.heapMiB, last.heapMiB),
    rssGrowth: growth(third.rssMiB, last.rssMiB),
    p99Ratio: Math.round((last.deliveryP99Ms / Math.max(1, third.deliveryP99Ms)) * 100) / 100,
  };
}

/** The soak's samples as a table, with its targets. */
export function soakMarkdown(r: SoakResult): string {
  const row = (s: SoakSample, label = String(s.minute)) =>
    `| ${label} | ${s.rssMiB} | ${s.heapMiB} | ${s.externalMiB} | ${s.openFds} | ${s.pgConnections} | ${s.redisKeys} | ${s.events} | ${s.jobs} | ${s.openConnections} | ${s.deliveries} | ${s.deliveryP99Ms} |`;
  return `## Soak: ${r.minutes} minutes of churn, ${r.clients} connections

| minute | RSS MiB | heap MiB | external MiB | fds | PG conns | Redis keys | events | jobs | open conns | deliveries | delivery p99 ms |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${row(r.idle.before, 'before')}
${r.samples.map((s) => row(s)).join('\n')}
${row(r.idle.after, 'after all left')}

Heap growth, minute 3 to the last: ${(r.heapGrowth * 100).toFixed(1)} % (target ≤ 5 %); RSS: ${(r.rssGrowth * 100).toFixed(1)} %
(≤ 5 %); delivery p99, last minute / third: ${r.p99Ratio}x (≤ 1.2x).
`;
}

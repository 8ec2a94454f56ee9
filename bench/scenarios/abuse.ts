import { fork } from 'node:child_process';
import type { AttackTargets, Outcomes } from '../lib/attacks.ts';
import { gql, signUp } from '../lib/graphql.ts';
import type { Started } from '../lib/processes.ts';
import { summary } from '../lib/stats.ts';
import { openSubscribers } from '../lib/subscribers.ts';
import { benchChannel } from './fanout.ts';
import { linkWatcher } from './links.ts';

const SUB = 'subscription($id: ID!) { productHighlighted(channelId: $id) { version product { id name } } }';
const HIGHLIGHT = 'mutation($i: HighlightProductInput!) { highlightProduct(input: $i) { version } }';

interface Phase {
  /** Highlight committed -> payload at one subscriber, over every delivery. */
  deliveryP50Ms: number;
  deliveryP99Ms: number;
  /** A bystander's `{ me }` round trip, once per change. */
  controlP50Ms: number;
  controlP99Ms: number;
  /** A bystander's post with an ordinary link: createPost returning -> READY at the bystander's subscription. */
  previewP50Ms: number;
  previewMaxMs: number;
}

export interface AbuseOptions {
  /** A free port where the attacker process serves its crafted pages; the instance must allow `127.0.0.1:<port>`. */
  pagesPort: number;
  /** An ordinary page the bystander links to (a query string is added to make each link new). */
  ordinaryPage: string;
}

export interface AbuseResult {
  subscribers: number;
  changes: number;
  quiet: Phase;
  underAttack: Phase;
  /** Delivery p99 under attack over quiet. */
  p99Ratio: number;
  /** An ordinary preview's p50 under attack over quiet. */
  previewRatio: number;
  outcomes: Record<string, Outcomes>;
}

/**
 * 1,000 normal subscribers (50 users, 20 sockets each, the default caps)
 * receive highlight changes, and a bystander posts ordinary links, first on
 * a quiet server, then while every attack of the hardening and exhaustion
 * issues runs at once against the same instance.
 */
export async function runAbuse(plaza: Started, options: AbuseOptions, subscribers = 1_000, changes = 60): Promise<AbuseResult> {
  const users = await Promise.all(Array.from({ length: Math.ceil(subscribers / 20) }, (_, i) => signUp(plaza.url, `viewer${i}`)));
  const { seller, channel, products } = await benchChannel(plaza.url);
  const fired = new Map<number, number>();
  let latencies: number[] = [];
  const pool = await openSubscribers(
    plaza.url,
    subscribers,
    { query: SUB, variables: { id: channel } },
    (i) => users[i % users.length]!.token,
    { onDelivery: (version, at) => latencies.push(at - (fired.get(version) ?? at)) },
  );

  // The viewers' sockets take each of them to the per-user cap: the bystander who posts links is someone else.
  const bystander = await signUp(plaza.url, 'bystander');
  const bystanderSection = (await gql(plaza.url, 'mutation($i: CreateSectionInput!) { createSection(input: $i) { id } }', { i: { name: 'B', slug: `b-${Date.now()}` } }, bystander.token)).createSection.id;
  const watcher = await linkWatcher(plaza.url, bystander.token, bystanderSection);
  const previews = async (count: number) => {
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const link = `${options.ordinaryPage}?${Date.now()}-${i}`;
      await gql(plaza.url, 'mutation($i: CreatePostInput!) { createPost(input: $i) { id } }', { i: { sectionId: bystanderSection, content: 'a link', links: [link] } }, bystander.token);
      const t0 = performance.now();
      await watcher.until(link);
      times.push(performance.now() - t0);
    }
    return summary(times);
  };
  // The pipeline's first links warm it up.
  await previews(3);

  let version = 0;
  const phase = async (): Promise<Phase> => {
    latencies = [];
    const control: number[] = [];
    for (let i = 0; i < changes; i++) {
      version += 1;
      fired.set(version, performance.now());
      await gql(plaza.url, HIGHLIGHT, { i: { channelId: channel, productId: products[version % 2] } }, seller.token);
      await pool.waitForAll(version);
      const t0 = performance.now();
      await gql(plaza.url, '{ me { id } }', {}, users[0]!.token);
      control.push(performance.now() - t0);
    }
    const delivery = summary(latencies);
    const bystander = summary(control);
    const preview = await previews(8);
    return {
      deliveryP50Ms: delivery.p50,
      deliveryP99Ms: delivery.p99,
      controlP50Ms: bystander.p50,
      controlP99Ms: bystander.p99,
      previewP50Ms: preview.p50,
      previewMaxMs: preview.p99,
    };
  };

  const quiet = await phase();
  const attacker = await signUp(plaza.url, 'attacker');
  const victim = await signUp(plaza.url, 'victim');
  const victimName = (await gql(plaza.url, '{ me { username } }', {}, victim.token)).me.username as string;
  const attackerChannel = (await gql(plaza.url, 'mutation { createChannel(input: { name: "A" }) { id } }', {}, attacker.token)).createChannel.id;
  const sectionId = (await gql(plaza.url, 'mutation($i: CreateSectionInput!) { createSection(input: $i) { id } }', { i: { name: 'A', slug: `a-${Date.now()}` } }, attacker.token)).createSection.id;
  const postId = (await gql(plaza.url, 'mutation($s: ID!) { createPost(input: { sectionId: $s, content: "x" }) { id } }', { s: sectionId }, attacker.token)).createPost.id;
  // Twenty posts of 10 kB to resume from, and a second session whose refresh token is replayed.
  const cursors: string[] = [];
  for (let i = 0; i < 20; i++) {
    const created = await gql(plaza.url, 'mutation($i: CreatePostInput!) { createPost(input: $i) { cursor } }', { i: { sectionId, content: `${i} ${'p'.repeat(9_990)}` } }, attacker.token);
    cursors.push(created.createPost.cursor);
  }
  const attackerName = (await gql(plaza.url, '{ me { username } }', {}, attacker.token)).me.username as string;
  const { refreshToken } = (await gql(plaza.url, 'mutation($u: String!, $p: String!) { signIn(input: { username: $u, password: $p }) { refreshToken } }', { u: attackerName, p: 'benchmark password' })).signIn;
  const attacks = await startAttacker({
    url: plaza.url,
    token: attacker.token,
    channelId: attackerChannel,
    sectionId,
    postId,
    victim: victimName,
    refreshToken,
    cursors,
    pagesPort: options.pagesPort,
  });
  // Let every attack reach full pressure before measuring.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const underAttack = await phase();
  const outcomes = await attacks.stop();
  await pool.close();
  watcher.close();
  return {
    subscribers,
    changes,
    quiet,
    underAttack,
    p99Ratio: Math.round((underAttack.deliveryP99Ms / quiet.deliveryP99Ms) * 100) / 100,
    previewRatio: Math.round((underAttack.previewP50Ms / quiet.previewP50Ms) * 100) / 100,
    outcomes,
  };
}

/** Runs the attacks in a child process (bench/attacker.ts). */
function startAttacker(targets: AttackTargets): Promise<{ stop(): Promise<Record<string, Outcomes>> }> {
  const child = fork(new URL('../attacker.ts', import.meta.url), [], {
    execArgv: ['--experimental-strip-types'],
    env: { ...process.env, ATTACK_TARGETS: JSON.stringify(targets) },
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', () =>
      resolve({
        stop: () =>
          new Promise((done) => {
            child.once('message', (m) => done((m as { outcomes: Record<string, Outcomes> }).outcomes));
            child.send({ stop: true });
          }),
      }),
    );
  });
}

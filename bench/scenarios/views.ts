import { gql, signUp } from '../lib/graphql.ts';
import { checkoutBefore, removeCheckout, type Started, startPlaza } from '../lib/processes.ts';
import { round, summary } from '../lib/stats.ts';
import { benchViewers } from './presence.ts';

const STORY = 'mutation { createStory(input: { mediaUrl: "https://example.com/s.jpg" }) { id } }';
const VIEW = 'mutation($id: ID!) { viewStory(storyId: $id) { id } }';

export interface ViewsSide {
  viewsPerSecond: number[];
  p50Ms: number;
  p99Ms: number;
}

/** `tokens.length` distinct viewers view one new story, `concurrency` at a time: views a second, and each view's time. */
async function viewRound(url: string, authorToken: string, tokens: string[], concurrency: number) {
  const story = (await gql(url, STORY, {}, authorToken)).createStory.id as string;
  const times: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tokens.length) {
        const token = tokens[next++]!;
        const t0 = performance.now();
        await gql(url, VIEW, { id: story }, token);
        times.push(performance.now() - t0);
      }
    }),
  );
  return { rate: tokens.length / ((performance.now() - started) / 1000), times };
}

/**
 * viewStory now and at `ref`, in turns: each round, a new story of one author viewed by `viewers` distinct users,
 * 32 at a time (every view of it now also grows the author's one coalesced notification).
 */
export async function runViewsAlternating(options: {
  ref: string;
  env: Record<string, string>;
  nowDatabaseUrl: string;
  beforeDatabaseUrl: string;
  jwtSecret: string;
  viewers: number;
  rounds: number;
}) {
  const dir = checkoutBefore(options.ref);
  const started: Started[] = [];
  try {
    const now = await startPlaza({ ...options.env, DATABASE_URL: options.nowDatabaseUrl, RUN_WORKERS: 'false' });
    started.push(now);
    const before = await startPlaza({ ...options.env, DATABASE_URL: options.beforeDatabaseUrl, RUN_WORKERS: 'false' }, [], dir);
    started.push(before);
    const sides = [
      { url: now.url, databaseUrl: options.nowDatabaseUrl, rates: [] as number[], times: [] as number[] },
      { url: before.url, databaseUrl: options.beforeDatabaseUrl, rates: [] as number[], times: [] as number[] },
    ];
    const authors = await Promise.all(sides.map((s) => signUp(s.url, 'author')));
    for (let r = 0; r < options.rounds; r++) {
      // Mirrored every other round, so that drift falls on both.
      for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) {
        const side = sides[i]!;
        const tokens = await benchViewers(side.databaseUrl, options.jwtSecret, options.viewers);
        const { rate, times } = await viewRound(side.url, authors[i]!.token, tokens, 32);
        side.rates.push(round(rate, 0));
        side.times.push(...times);
      }
    }
    const sideOf = (s: (typeof sides)[number]): ViewsSide => ({ viewsPerSecond: s.rates, ...pick(summary(s.times)) });
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    return {
      viewers: options.viewers,
      rounds: options.rounds,
      now: sideOf(sides[0]!),
      before: { ref: options.ref, ...sideOf(sides[1]!) },
      nowOverBefore: round(median(sides[0]!.rates) / median(sides[1]!.rates)),
    };
  } finally {
    await Promise.allSettled(started.map((p) => p.stop()));
    removeCheckout(dir);
  }
}

const pick = ({ p50, p99 }: { p50: number; p99: number }) => ({ p50Ms: p50, p99Ms: p99 });

import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { chatLoadProcess } from '../lib/chat-load.ts';
import { openChatViewers } from '../lib/chat-viewers.ts';
import { gql, gqlAnswer } from '../lib/graphql.ts';
import type { Started } from '../lib/processes.ts';
import { round, summary } from '../lib/stats.ts';
import { openSubscribers, type SubscriberPool } from '../lib/subscribers.ts';
import { benchChannel, HIGHLIGHT, SUB as HIGHLIGHTS } from './fanout.ts';
import { benchViewers } from './presence.ts';

const CHAT = 'subscription($c: ID!) { channelChat(channelId: $c) { messages { id text author { id } } deletedIds pinnedMessage { id } pinChanged cursor } }';
const SEND = 'mutation($i: SendChatMessageInput!) { sendChatMessage(input: $i) { id } }';
const CLAIM = 'mutation($i: ClaimProductInput!) { claimProduct(input: $i) { id } }';

export interface ChatSide {
  messages: number;
  /** From a sender's answer to a sampled viewer's arrival (0 when the frame came first). */
  p50Ms: number;
  p99Ms: number;
  /** Server CPU (whole process) per message delivered to one viewer. */
  cpuMicrosPerDelivery: number;
  /** Every viewer got every message, once, in one order. */
  complete: boolean;
  /** Frames one viewer received for them. */
  framesPerViewer: number;
}

export interface ChatResult {
  viewers: number;
  senders: number;
  messagesPerSecond: number;
  seconds: number;
  plaza: ChatSide;
  baseline: ChatSide;
  /** Plaza's CPU per delivered message over the baseline's (target at most 1.5). */
  cpuRatio: number;
  /** Highlight changes to `highlightViewers`, alone and while the chat runs (target p99 ratio at most 1.2). */
  highlights: {
    viewers: number;
    changes: number;
    aloneP50Ms: number;
    aloneP99Ms: number;
    withChatP50Ms: number;
    withChatP99Ms: number;
    p50Ratio: number;
    p99Ratio: number;
    /**
     * The control: highlights while the same chat (senders and viewers) runs on the hand-written baseline instead,
     * so that Plaza does none of its work. What this alone adds to the p99 is what the machine (cores shared with
     * the load, PostgreSQL and Redis) adds, whatever Plaza's code does.
     */
    besideBaselineChatP50Ms: number;
    besideBaselineChatP99Ms: number;
    controlP99Ratio: number;
    /** Plaza's event-loop delay p99 over each kind of block (the worst block), and its time in garbage collection. */
    plazaEventLoopP99Ms?: { alone: number; withChat: number; control: number };
    plazaGcMs?: { alone: number; withChat: number; control: number };
  };
}

/** Sends `rate` messages a second for `seconds`, `m0`, `m1`, … from `send`; the time each was answered. */
async function drive(send: (n: number) => Promise<void>, rate: number, seconds: number, from: number): Promise<Map<number, number>> {
  const answered = new Map<number, number>();
  const total = rate * seconds;
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let k = 0; k < total; k++) {
    const wait = started + (k * 1000) / rate - performance.now();
    if (wait > 1) await sleep(wait);
    const n = from + k;
    pending.push(send(n).then(() => void answered.set(n, performance.now())));
  }
  await Promise.all(pending);
  return answered;
}

/** Latencies from each message's answer to its arrival at the sampled viewers. */
function latencies(answered: Map<number, number>, arrivals: Map<number, number[]>): number[] {
  const out: number[] = [];
  for (const [n, at] of answered) for (const arrived of arrivals.get(n) ?? []) out.push(Math.max(0, arrived - at));
  return out;
}

async function highlightsTimed(url: string, pool: SubscriberPool, seller: string, channel: string, products: string[], first: number, count: number, gapMs: number) {
  const times: number[] = [];
  for (let v = first; v < first + count; v++) {
    const t0 = performance.now();
    await gql(url, HIGHLIGHT, { i: { channelId: channel, productId: products[v % 2] } }, seller);
    await pool.waitForAll(v);
    times.push(performance.now() - t0);
    if (gapMs > 0) await sleep(gapMs);
  }
  return times;
}

/**
 * `viewers` users on `channelChat` of one channel while `senders` users send
 * `rate` messages a second in all for `seconds`: every viewer must get
 * every message once, in one order. The same load against the hand-written
 * chat baseline (the same framing) gives the CPU ratio. Then highlights to
 * `highlightViewers` sockets, alone and while the chat runs.
 */
export async function runChat(
  plaza: Started,
  baseline: Started,
  options: {
    databaseUrl: string;
    jwtSecret: string;
    viewers: number;
    senders: number;
    rate: number;
    seconds: number;
    highlightViewers: number;
    highlightChanges: number;
    /** Plaza's METRICS_TOKEN: its event loop and garbage collection read over each highlight block. */
    metricsToken?: string;
  },
): Promise<ChatResult> {
  const { viewers, senders, rate, seconds } = options;
  const tokens = await benchViewers(options.databaseUrl, options.jwtSecret, viewers + senders);
  const viewerTokens = tokens.slice(0, viewers);
  const senderTokens = tokens.slice(viewers);
  const { seller, channel, products } = await benchChannel(plaza.url);
  const total = rate * seconds;

  const side = async (url: string, server: Started, send: (n: number) => Promise<void>, tokensFor: string[]): Promise<ChatSide> => {
    const pool = await openChatViewers(url, tokensFor, { query: CHAT, variables: { c: channel } });
    const cpu = server.cpuMs();
    const answered = await drive(send, rate, seconds, 0);
    await pool.waitForAll(total);
    const cpuMs = server.cpuMs() - cpu;
    const orders = pool.orders();
    const complete = pool.counts().every((c) => c === total) && orders.every((o) => o === orders[0]) && pool.duplicates() === 0;
    const { p50, p99 } = summary(latencies(answered, pool.arrivals));
    pool.close();
    return {
      messages: total,
      p50Ms: p50,
      p99Ms: p99,
      cpuMicrosPerDelivery: round((cpuMs * 1000) / (total * tokensFor.length)),
      complete,
      framesPerViewer: pool.frames(),
    };
  };

  const sendToPlaza = async (n: number) => {
    const answer = await gqlAnswer(plaza.url, SEND, { i: { channelId: channel, text: `m${n}` } }, senderTokens[n % senders]);
    if (answer.errors?.length) throw new Error(JSON.stringify(answer.errors));
  };
  const baselineSend = baseline.url.replace(/\/graphql$/, '/send');
  const sendToBaseline = async (n: number) => {
    const res = await request(baselineSend, { method: 'POST', body: JSON.stringify({ text: `m${n}` }) });
    await res.body.dump();
  };

  const plazaSide = await side(plaza.url, plaza, sendToPlaza, viewerTokens);
  const baselineSide = await side(baseline.url, baseline, sendToBaseline, viewerTokens.map(() => ''));

  // Highlights to their own sockets, alone and while the chat runs, in turns (alone, chat, chat, alone) so that the
  // machine's drift falls on both; the chat's viewers stay connected throughout, read by a process of their own.
  const highlightPool = await openSubscribers(plaza.url, options.highlightViewers, { query: HIGHLIGHTS, variables: { id: channel } }, (i) => viewerTokens[i % viewers]!);
  const chatPool = await chatLoadProcess({ url: plaza.url, tokens: viewerTokens, query: { query: CHAT, variables: { c: channel } } });
  const baselinePool = await chatLoadProcess({ url: baseline.url, tokens: viewerTokens.map(() => ''), query: { query: CHAT, variables: { c: channel } } });
  const perBlock = Math.max(1, Math.floor(options.highlightChanges / 2));
  const gap = 100;
  const times = { alone: [] as number[], withChat: [] as number[], control: [] as number[] };
  let version = 1;
  let next = total;
  const loop = { alone: [] as number[], withChat: [] as number[], control: [] as number[] };
  const gc = { alone: 0, withChat: 0, control: 0 };
  const blocks = ['alone', 'withChat', 'control', 'control', 'withChat', 'alone'] as const;
  for (const block of blocks) {
    let stop = false;
    const send = block === 'withChat' ? sendToPlaza : sendToBaseline;
    const chat =
      block === 'alone'
        ? Promise.resolve()
        : (async () => {
            const started = performance.now();
            for (let k = 0; !stop; k++) {
              const wait = started + (k * 1000) / rate - performance.now();
              if (wait > 1) await sleep(wait);
              void send(next++).catch(() => {});
            }
          })();
    // The chat running a moment first, so the highlights meet it in its stride.
    if (block !== 'alone') await sleep(500);
    const before = options.metricsToken ? await processMetrics(plaza.url, options.metricsToken) : null;
    times[block].push(...(await highlightsTimed(plaza.url, highlightPool, seller.token, channel, products, version, perBlock, gap)));
    if (before) {
      const after = await processMetrics(plaza.url, options.metricsToken!);
      loop[block].push(after.loopP99Ms);
      gc[block] += after.gcMs - before.gcMs;
    }
    version += perBlock;
    stop = true;
    await chat;
  }
  const { alone, withChat } = times;
  await chatPool.close();
  await baselinePool.close();
  await highlightPool.close();
  const a = summary(alone);
  const w = summary(withChat);
  const c = summary(times.control);
  const changes = alone.length + withChat.length;

  return {
    viewers,
    senders,
    messagesPerSecond: rate,
    seconds,
    plaza: plazaSide,
    baseline: baselineSide,
    cpuRatio: round(plazaSide.cpuMicrosPerDelivery / baselineSide.cpuMicrosPerDelivery),
    highlights: {
      viewers: options.highlightViewers,
      changes,
      aloneP50Ms: a.p50,
      aloneP99Ms: a.p99,
      withChatP50Ms: w.p50,
      withChatP99Ms: w.p99,
      p50Ratio: round(w.p50 / a.p50),
      p99Ratio: round(w.p99 / a.p99),
      besideBaselineChatP50Ms: c.p50,
      besideBaselineChatP99Ms: c.p99,
      controlP99Ratio: round(c.p99 / a.p99),
      ...(options.metricsToken
        ? {
            plazaEventLoopP99Ms: { alone: Math.max(...loop.alone), withChat: Math.max(...loop.withChat), control: Math.max(...loop.control) },
            plazaGcMs: { alone: round(gc.alone), withChat: round(gc.withChat), control: round(gc.control) },
          }
        : {}),
    },
  };
}

export interface ClaimsResult {
  buyers: number;
  stock: number;
  rounds: number;
  /** Answers per second over each round's wall time, median of the rounds. */
  claimsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Units claimed past the stock, over every round (must be 0). */
  oversold: number;
  soldOutAnswers: number;
}

/** `buyers` users claim one unit each of a product with `stock`, all at once, `rounds` times. */
export async function runClaims(plaza: Started, options: { databaseUrl: string; jwtSecret: string; buyers: number; stock: number; rounds: number }): Promise<ClaimsResult> {
  const tokens = await benchViewers(options.databaseUrl, options.jwtSecret, options.buyers);
  const { seller, channel } = await benchChannel(plaza.url);
  const times: number[] = [];
  const rates: number[] = [];
  let oversold = 0;
  let soldOut = 0;
  for (let r = 0; r < options.rounds; r++) {
    const input = { channelId: channel, name: `Drop ${r}`, priceCents: 5_000, currency: 'EUR', stock: options.stock };
    const product = (await gql(plaza.url, 'mutation($i: AddProductInput!) { addProduct(input: $i) { id } }', { i: input }, seller.token)).addProduct.id;
    const started = performance.now();
    const answers = await Promise.all(
      tokens.map(async (token) => {
        const t0 = performance.now();
        const answer = await gqlAnswer(plaza.url, CLAIM, { i: { productId: product } }, token);
        times.push(performance.now() - t0);
        return answer.errors?.[0]?.extensions?.code ?? 'OK';
      }),
    );
    rates.push(options.buyers / ((performance.now() - started) / 1000));
    const ok = answers.filter((c) => c === 'OK').length;
    soldOut += answers.filter((c) => c === 'SOLD_OUT').length;
    const stock = (await gql(plaza.url, 'query($p: ID!) { node(id: $p) { ... on Product { stock } } }', { p: product }, seller.token)).node.stock as number;
    oversold += Math.max(0, ok - options.stock) + Math.max(0, -stock);
  }
  const { p50, p99 } = summary(times);
  rates.sort((x, y) => x - y);
  return {
    buyers: options.buyers,
    stock: options.stock,
    rounds: options.rounds,
    claimsPerSecond: round(rates[Math.floor(rates.length / 2)]!, 0),
    p50Ms: p50,
    p99Ms: p99,
    oversold,
    soldOutAnswers: soldOut,
  };
}

/** Plaza's event-loop delay p99 since the last scrape (prom-client resets it each time) and its total GC time so far. */
async function processMetrics(url: string, token: string): Promise<{ loopP99Ms: number; gcMs: number }> {
  const text = await (await fetch(url.replace('/graphql', '/metrics'), { headers: { authorization: `Bearer ${token}` } })).text();
  const sumOf = (name: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(name))
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  return { loopP99Ms: round(sumOf('nodejs_eventloop_lag_p99_seconds') * 1000), gcMs: sumOf('nodejs_gc_duration_seconds_sum') * 1000 };
}

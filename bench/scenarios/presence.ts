import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import WebSocket from 'ws';
import { createTokenService } from '../../src/auth/tokens.ts';
import { gql } from '../lib/graphql.ts';
import type { Started } from '../lib/processes.ts';
import { round, summary } from '../lib/stats.ts';
import { benchChannel, HIGHLIGHT } from './fanout.ts';

const HIGHLIGHTS = 'subscription($id: ID!) { productHighlighted(channelId: $id) { version } }';
const PRESENCE = 'subscription($id: ID!) { channelPresence(channelId: $id) { viewerCount sellerLive } }';
const VERSION = /"version":(\d+)/;

export interface PresenceSide {
  viewers: number;
  /** How long the joining took (asked: 10 s; longer when the server or the client fell behind). */
  joinSeconds: number;
  /** Highlight deliveries while viewers joined: latency from the change's mutation to each arrival. */
  highlightP50Ms: number;
  highlightP99Ms: number;
  /** channelPresence messages each viewer got over the whole join (the first state included). */
  presenceMessagesPerViewer: number;
  /** Plaza's CPU time over the join, user + system. */
  cpuSeconds: number;
  /** The count the seller last saw. */
  finalViewerCount: number | null;
}

/** `count` users with a session each, straight into the database, and an access token for each. */
export async function benchViewers(databaseUrl: string, jwtSecret: string, count: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ user_id: string; session_id: string }>(
      `with made as (
         insert into users (username, display_name, password_hash)
         select 'viewer_' || md5(random()::text || g), 'Viewer ' || g, 'not-a-hash' from generate_series(1, $1) g
         returning id
       )
       insert into sessions (user_id, refresh_hash, expires_at)
       select id, md5(random()::text), now() + interval '1 day' from made
       returning user_id, id as session_id`,
      [count],
    );
    const tokens = createTokenService(jwtSecret, 3600);
    return Promise.all(rows.map(async (row) => (await tokens.issue(row.user_id, row.session_id)).token));
  } finally {
    await client.end();
  }
}

/** CPU seconds a process has used (Linux /proc). */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * 10,000 viewers (distinct users) join one channel within `joinSeconds`,
 * each on its own socket with productHighlighted and, when `presence` and
 * `watchCount`, channelPresence; meanwhile the seller changes the highlight
 * every 100 ms.
 * Run once against an instance with presence on and once with PRESENCE=off.
 */
export async function runPresenceJoin(
  plaza: Started,
  tokens: string[],
  { presence, watchCount, joinSeconds: window }: { presence: boolean; watchCount: boolean; joinSeconds: number },
): Promise<PresenceSide> {
  const { seller, channel, products } = await benchChannel(plaza.url);
  const wsUrl = plaza.url.replace(/^http/, 'ws');
  const firedAt = new Map<number, number>();
  const latencies: number[] = [];
  let presenceMessages = 0;
  let finalViewerCount: number | null = null;
  const sockets: WebSocket[] = [];

  const sellerSocket = new WebSocket(wsUrl, 'graphql-transport-ws');
  sockets.push(sellerSocket);
  sellerSocket.on('open', () => sellerSocket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${seller.token}` } })));
  sellerSocket.on('message', (data) => {
    const text = String(data);
    if (text.includes('"connection_ack"')) sellerSocket.send(JSON.stringify({ id: 'p', type: 'subscribe', payload: { query: PRESENCE, variables: { id: channel } } }));
    const count = /"viewerCount":(\d+)/.exec(text);
    if (count) finalViewerCount = Number(count[1]);
  });

  let version = 0;
  let changing = true;
  const changes = (async () => {
    while (changing) {
      const v = ++version;
      firedAt.set(v, performance.now());
      await gql(plaza.url, HIGHLIGHT, { i: { channelId: channel, productId: products[v % 2] } }, seller.token);
      await sleep(100);
    }
  })();

  const cpuBefore = cpuSecondsOf(plaza.child.pid!);
  const open = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(wsUrl, 'graphql-transport-ws', { localAddress: `127.0.0.${2 + (i % 200)}`, perMessageDeflate: false });
      sockets.push(socket);
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${tokens[i]}` } })));
      let first = true;
      socket.on('message', (data) => {
        const text = String(data);
        if (text.includes('"connection_ack"')) {
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: HIGHLIGHTS, variables: { id: channel } } }));
          if (presence && watchCount) socket.send(JSON.stringify({ id: '2', type: 'subscribe', payload: { query: PRESENCE, variables: { id: channel } } }));
          return resolve();
        }
        if (text.includes('"ping"')) return void socket.send('{"type":"pong"}');
        if (text.includes('channelPresence')) return void presenceMessages++;
        const match = VERSION.exec(text);
        // The first is the state at joining, not a delivery of a change.
        if (match && first) first = false;
        else if (match) {
          const at = firedAt.get(Number(match[1]));
          if (at !== undefined) latencies.push(performance.now() - at);
        }
        if (text.includes('"error"')) reject(new Error(text));
      });
      socket.on('error', reject);
    });
  // Evenly over the join window, 100 sockets at a time.
  const started = performance.now();
  for (let i = 0; i < tokens.length; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, tokens.length - i) }, (_, k) => open(i + k)));
    const due = started + ((i + 100) / tokens.length) * window * 1000;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
  }
  const joinSeconds = round((performance.now() - started) / 1000, 1);
  // Settle: until the seller's count has everyone (with presence), at most 10 s.
  for (let waited = 0; presence && finalViewerCount !== tokens.length && waited < 10_000; waited += 100) await sleep(100);
  const cpuSeconds = round(cpuSecondsOf(plaza.child.pid!) - cpuBefore, 2);
  changing = false;
  await changes;
  for (const socket of sockets) socket.terminate();
  const { p50, p99 } = summary(latencies);
  return {
    viewers: tokens.length,
    joinSeconds,
    highlightP50Ms: p50,
    highlightP99Ms: p99,
    presenceMessagesPerViewer: presence ? round(presenceMessages / tokens.length, 2) : 0,
    cpuSeconds,
    finalViewerCount,
  };
}

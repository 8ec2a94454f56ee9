import WebSocket from 'ws';

/** Message texts are `m<n>`: the only thing a viewer reads from a frame. */
const TEXT = /"text":"m(\d+)"/g;

export interface ChatViewers {
  /** Messages each viewer has received, in all. */
  counts(): number[];
  /** Per viewer, a hash of the order it received them in: equal when every viewer got one order. */
  orders(): number[];
  /** Per message number, its arrival times at the sampled viewers (performance.now()). */
  arrivals: Map<number, number[]>;
  /** Resolves when every viewer has received `total` messages. */
  waitForAll(total: number, timeoutMs?: number): Promise<void>;
  /** Frames the first viewer received after joining. */
  frames(): number;
  /** Messages one viewer received twice (none expected). */
  duplicates(): number;
  close(): void;
}

/**
 * `tokens.length` graphql-transport-ws sockets (tokens may be empty strings
 * for the baseline), each subscribed to the chat `query`; every viewer
 * counts what it gets and hashes its order, `sampled` of them also time
 * each message's arrival. Source addresses rotate over 127.0.0.x.
 */
export async function openChatViewers(
  url: string,
  tokens: string[],
  query: { query: string; variables: Record<string, unknown> },
  { sampled = 50, read = true }: { sampled?: number; read?: boolean } = {},
): Promise<ChatViewers> {
  const wsUrl = url.replace(/^http/, 'ws');
  const sockets: WebSocket[] = [];
  const counts = new Array<number>(tokens.length).fill(0);
  const orders = new Array<number>(tokens.length).fill(0);
  const seen: Array<Set<number> | null> = tokens.map((_, i) => (i < sampled ? new Set<number>() : null));
  let duplicates = 0;
  let frames = 0;
  const arrivals = new Map<number, number[]>();
  const every = sampled > 0 ? Math.max(1, Math.floor(tokens.length / sampled)) : Number.POSITIVE_INFINITY;
  const open = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(wsUrl, 'graphql-transport-ws', { localAddress: `127.0.0.${2 + (i % 200)}`, perMessageDeflate: false });
      sockets.push(socket);
      const timed = sampled > 0 && i % every === 0;
      let joined = false;
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: tokens[i] ? { authorization: `Bearer ${tokens[i]}` } : {} })));
      socket.on('message', (data: Buffer) => {
        // Load only (read: false): past joining, a frame is not even decoded; short messages may be pings.
        if (!read && joined && data.length > 64) return;
        const text = String(data);
        if (text.startsWith('{"type":"connection_ack"')) return void socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: query }));
        if (text.startsWith('{"type":"ping"')) return void socket.send('{"type":"pong"}');
        if (text.includes('"errors"') || text.includes('"type":"error"')) return reject(new Error(text.slice(0, 300)));
        // The first frame (the history at joining): ready, nothing to count.
        if (!joined) {
          joined = true;
          return resolve();
        }
        const now = performance.now();
        if (i === 0) frames++;
        TEXT.lastIndex = 0;
        for (let match = TEXT.exec(text); match; match = TEXT.exec(text)) {
          const n = Number(match[1]);
          counts[i]!++;
          orders[i] = (Math.imul(orders[i]!, 31) + n) >>> 0;
          const mine = seen[i];
          if (mine) {
            if (mine.has(n)) duplicates++;
            mine.add(n);
          }
          if (timed) {
            let list = arrivals.get(n);
            if (!list) arrivals.set(n, (list = []));
            list.push(now);
          }
        }
      });
      socket.on('error', reject);
    });
  for (let i = 0; i < tokens.length; i += 200) {
    await Promise.all(Array.from({ length: Math.min(200, tokens.length - i) }, (_, k) => open(i + k)));
  }
  return {
    counts: () => counts,
    orders: () => orders,
    arrivals,
    duplicates: () => duplicates,
    frames: () => frames,
    async waitForAll(total, timeoutMs = 60_000) {
      const deadline = performance.now() + timeoutMs;
      while (counts.some((c) => c < total)) {
        if (performance.now() > deadline) {
          const behind = counts.filter((c) => c < total).length;
          throw new Error(`${behind} viewers short of ${total} messages after ${timeoutMs} ms (least: ${Math.min(...counts)})`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close() {
      for (const socket of sockets) socket.terminate();
    },
  };
}

import WebSocket from 'ws';

export interface SubscriberPool {
  /** How many sockets have seen each version. */
  seen: Map<number, number>;
  size: number;
  /** Subscribes refused and sent again (readyOnAck), each the server's answer. */
  refused: string[];
  /** Resolves when every socket has seen `version`. */
  waitForAll(version: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const VERSION = /"version":(\d+)/;

export interface PoolOptions {
  /** Called for every delivery with the version and the time it arrived (performance.now()). */
  onDelivery?: (version: number, at: number) => void;
  /** Where a delivery's version is in its frame (default `"version":N`). */
  versionPattern?: RegExp;
  /**
   * A socket counts as open once its subscribe is sent after the ack, not at its first payload: for a
   * subscription that sends nothing at first (postCreated), resumed `after` a cursor so nothing is missed.
   */
  readyOnAck?: boolean;
}

/**
 * Opens `count` graphql-transport-ws sockets speaking the protocol by hand
 * (the same cheap client for Plaza and the baseline), each subscribed to one
 * operation, and resolves once every one has its first payload. Source
 * addresses rotate over 127.0.0.x so tens of thousands of sockets fit.
 */
export async function openSubscribers(
  url: string,
  count: number,
  operation: { query: string; variables: Record<string, unknown> },
  token?: string | ((socket: number) => string),
  options: PoolOptions = {},
): Promise<SubscriberPool> {
  const { onDelivery, versionPattern = VERSION, readyOnAck = false } = options;
  const sockets: WebSocket[] = [];
  const refused: string[] = [];
  // Per socket, for the report of one that falls behind: its last version, last frames, and close code.
  const latest: number[] = [];
  const lastFrames: string[][] = [];
  const closedWith: Array<string | undefined> = [];
  const seen = new Map<number, number>();
  const waiters = new Map<number, Array<() => void>>();
  const note = (version: number) => {
    onDelivery?.(version, performance.now());
    const n = (seen.get(version) ?? 0) + 1;
    seen.set(version, n);
    if (n === count) for (const w of waiters.get(version) ?? []) w();
  };
  const wsUrl = url.replace(/^http/, 'ws');
  const open = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(wsUrl, 'graphql-transport-ws', {
        localAddress: `127.0.0.${2 + (i % 200)}`,
        perMessageDeflate: false,
      });
      sockets.push(socket);
      let first = true;
      const bearer = typeof token === 'function' ? token(i) : token;
      socket.on('open', () =>
        socket.send(JSON.stringify({ type: 'connection_init', payload: bearer ? { authorization: `Bearer ${bearer}` } : {} })),
      );
      latest[i] = 0;
      lastFrames[i] = [];
      socket.on('message', (data) => {
        const text = String(data);
        lastFrames[i]!.push(text.slice(0, 300));
        if (lastFrames[i]!.length > 3) lastFrames[i]!.shift();
        if (text.includes('"connection_ack"')) {
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: operation }));
          if (readyOnAck && first) {
            first = false;
            resolve();
          }
          return;
        }
        if (text.includes('"ping"')) return void socket.send('{"type":"pong"}');
        const match = versionPattern.exec(text);
        if (match) {
          latest[i] = Math.max(latest[i]!, Number(match[1]));
          note(Number(match[1]));
        }
        else if (text.includes('"error"') && readyOnAck) {
          // Refused (the database busy with thousands of subscribes at once): subscribe again, as a client would.
          refused.push(text);
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: operation }));
        } else if (text.includes('"error"')) reject(new Error(text));
        if (first) {
          first = false;
          resolve();
        }
      });
      socket.on('error', reject);
      socket.on('close', (code, reason) => {
        closedWith[i] = `${code} ${String(reason)}`.trim();
        if (first) reject(new Error(`closed ${code}`));
      });
    });
  for (let i = 0; i < count; i += 200) {
    await Promise.all(Array.from({ length: Math.min(200, count - i) }, (_, k) => open(i + k)));
  }
  return {
    seen,
    size: count,
    refused,
    waitForAll(version, timeoutMs = 60_000) {
      if ((seen.get(version) ?? 0) >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const behind = latest.map((v, i) => [v, i] as const).filter(([v]) => v < version).slice(0, 3);
          const detail = behind.map(([v, i]) => `socket ${i}: last version ${v}, closed ${closedWith[i] ?? 'no'}, last frames ${JSON.stringify(lastFrames[i])}`);
          reject(new Error(`version ${version}: ${seen.get(version) ?? 0}/${count} after ${timeoutMs} ms; ${detail.join('; ')}`));
        }, timeoutMs);
        const list = waiters.get(version) ?? [];
        list.push(() => {
          clearTimeout(timer);
          resolve();
        });
        waiters.set(version, list);
      });
    },
    async close() {
      await Promise.all(
        sockets.map(
          (s) =>
            new Promise<void>((resolve) => {
              if (s.readyState === WebSocket.CLOSED) return resolve();
              s.once('close', () => resolve());
              s.terminate();
            }),
        ),
      );
    },
  };
}

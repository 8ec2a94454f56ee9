import WebSocket from 'ws';
import type { App } from '../../src/app.ts';
import { wsUrl } from './subscriptions.ts';

interface Message {
  type: string;
  id?: string;
  payload?: any;
}

/**
 * graphql-transport-ws spoken by hand, as a hostile client would: it sends as
 * fast as it likes and counts what comes back. `until` waits on the messages
 * themselves, with a timeout.
 */
export class RawGraphqlWs {
  readonly socket: WebSocket;
  readonly received: Message[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: Array<() => void> = [];

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data) => {
      this.received.push(JSON.parse(String(data)) as Message);
      this.wake();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
      this.wake();
    });
    socket.on('error', () => {});
  }

  /** Opens a socket and sends connection_init; `acknowledged` says whether the server accepted it. */
  static async open(app: Pick<App, 'url'>, token: string): Promise<{ ws: RawGraphqlWs; acknowledged: boolean }> {
    const socket = new WebSocket(wsUrl(app), 'graphql-transport-ws');
    const ws = new RawGraphqlWs(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    ws.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
    await ws.until(() => ws.count('connection_ack') > 0 || ws.closed !== null);
    return { ws, acknowledged: ws.count('connection_ack') > 0 };
  }

  send(message: Message): void {
    this.socket.send(JSON.stringify(message));
  }

  subscribe(id: string, query: string, variables: Record<string, unknown> = {}): void {
    this.send({ id, type: 'subscribe', payload: { query, variables } });
  }

  count(type: string, where: (m: Message) => boolean = () => true): number {
    return this.received.filter((m) => m.type === type && where(m)).length;
  }

  /** Ids that got at least one `next`. */
  idsWithNext(): Set<string> {
    return new Set(this.received.filter((m) => m.type === 'next').map((m) => m.id!));
  }

  async until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`condition not met within ${timeoutMs} ms (${this.received.length} messages)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.terminate();
  }

  private wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

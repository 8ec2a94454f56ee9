import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = (req: IncomingMessage, res: ServerResponse) => void;

/** A local HTTP server standing in for the web: routes by path, counts hits and concurrent requests. */
export class FakeWeb {
  readonly routes = new Map<string, Route>();
  readonly hits = new Map<string, number>();
  readonly maxConcurrent = new Map<string, number>();
  private readonly active = new Map<string, number>();
  private server: Server | undefined;
  private readonly sockets = new Set<import('node:net').Socket>();
  port = 0;

  async start(port = 0, host = '127.0.0.1'): Promise<this> {
    this.server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
      const now = (this.active.get(path) ?? 0) + 1;
      this.active.set(path, now);
      this.maxConcurrent.set(path, Math.max(now, this.maxConcurrent.get(path) ?? 0));
      res.once('close', () => this.active.set(path, (this.active.get(path) ?? 1) - 1));
      const route = this.routes.get(path);
      if (route) route(req, res);
      else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
      }
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  totalHits(): number {
    return [...this.hits.values()].reduce((a, b) => a + b, 0);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export const html = (body: string, status = 200, headers: Record<string, string> = {}): Route => (_req, res) => {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
  res.end(body);
};

/** Answers with each route in turn, repeating the last one. */
export const sequence = (...routes: Route[]): Route => {
  let i = 0;
  return (req, res) => routes[Math.min(i++, routes.length - 1)]!(req, res);
};

/**
 * A page whose first request is never answered (a fetch left hanging while a
 * test kills or stops the process that made it); later ones get `answer`.
 * `reached` resolves when the first request arrives.
 */
export function hangsFirst(answer: Route): { route: Route; reached: Promise<void> } {
  let arrived!: () => void;
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  let first = true;
  const route: Route = (req, res) => {
    if (!first) return answer(req, res);
    first = false;
    arrived();
  };
  return { route, reached };
}

/**
 * A server on loopback port 80 that counts what reaches it: any request
 * means a private address (or an allowed host's other port) was fetched.
 * Where port 80 cannot be had it listens nowhere and counts nothing.
 */
export async function portEightyCanary(): Promise<{ listening: boolean; hits(): number; close(): Promise<void> }> {
  let hits = 0;
  const canary = createServer((_req, res) => {
    hits += 1;
    res.end('<title>secret</title>');
  });
  await new Promise<void>((resolve) => {
    canary.once('error', () => resolve());
    canary.listen(80, '127.0.0.1', () => resolve());
  });
  return { listening: canary.listening, hits: () => hits, close: () => new Promise<void>((resolve) => canary.close(() => resolve())) };
}

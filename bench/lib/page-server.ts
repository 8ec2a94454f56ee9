import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local stand-in for the web: serves pages and keeps how long it spent on each request. */
export async function startPageServer(pages: Map<string, Buffer>) {
  const serveMs = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const t0 = performance.now();
    const url = new URL(req.url ?? '/', 'http://x');
    const page = pages.get(url.pathname);
    if (!page) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': page.length });
    res.end(page, () => serveMs.set(url.pathname + url.search, performance.now() - t0));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    serveMs,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

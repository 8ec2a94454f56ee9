import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the web: serves pages and keeps how long it spent on
 * each request. It listens on `sites` ports, each page on one of them, so the
 * pipeline sees several sites (Plaza limits fetches per host) as it would on the web.
 */
export async function startPageServer(pages: Map<string, Buffer>, sites = 16) {
  const serveMs = new Map<string, number>();
  const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const t0 = performance.now();
    const url = new URL(req.url ?? '/', 'http://x');
    const page = pages.get(url.pathname);
    if (!page) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': page.length });
    res.end(page, () => serveMs.set(url.pathname + url.search, performance.now() - t0));
  };
  const servers: Server[] = [];
  for (let i = 0; i < sites; i++) {
    const server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  return {
    ...pageSites(ports, [...pages.keys()]),
    ports,
    serveMs,
    close: () => Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))).then(() => {}),
  };
}

/** Where each page is served: page `names[i]` on `ports[i % ports.length]`, one site per port. */
export function pageSites(ports: number[], names: string[]) {
  const portOf = (path: string) => ports[Math.max(0, names.indexOf(new URL(path, 'http://x').pathname)) % ports.length]!;
  return {
    port: ports[0]!,
    /** For LINK_FETCH_ALLOW_HOSTS. */
    hosts: ports.map((p) => `127.0.0.1:${p}`).join(','),
    url: (path: string) => `http://127.0.0.1:${portOf(path)}${path}`,
  };
}

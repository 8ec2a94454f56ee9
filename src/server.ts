import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TokenService } from './auth/tokens.ts';
import type { Config } from './config.ts';
import { schema } from './graphql/schema.ts';
import { rejectOversizedBody } from './http/body-limit.ts';
import { createWebSocketLayer } from './http/websocket.ts';
import { createPlazaYoga } from './http/yoga.ts';
import type { Logger } from './logger.ts';
import type { Realtime } from './realtime/pubsub.ts';
import type { Services } from './services.ts';

export interface ServerDeps {
  config: Config;
  logger: Logger;
  services: Services;
  realtime: Realtime;
  tokens: TokenService;
  checkReadiness(): Promise<void>;
}

/** HTTP (Yoga), SSE (Yoga) and graphql-ws on one port, path /graphql. */
export function createServer(deps: ServerDeps) {
  const { config, logger } = deps;
  const yoga = createPlazaYoga({ ...deps, schema });
  const ws = createWebSocketLayer({
    yoga,
    tokens: deps.tokens,
    logger,
    maxMessageBytes: config.maxWsMessageBytes,
    allowedOrigins: config.corsOrigins,
  });
  // Open event streams never finish by themselves; shutdown ends them.
  const streams = new Set<ServerResponse>();
  let stopping = false;

  const http = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    if (stopping) res.setHeader('connection', 'close');
    if (rejectOversizedBody(req, res, config.maxBodyBytes)) return;
    if (req.headers.accept?.includes('text/event-stream')) {
      streams.add(res);
      res.once('close', () => streams.delete(res));
    }
    void yoga(req, res);
  });
  http.on('upgrade', (req, socket, head) => {
    if (stopping) return socket.destroy();
    ws.handleUpgrade(req, socket, head);
  });
  http.headersTimeout = 20_000;
  http.requestTimeout = 30_000;

  return {
    http,
    wss: ws.wss,
    async start(): Promise<{ port: number; url: string }> {
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(config.port, config.host, () => {
          http.off('error', reject);
          resolve();
        });
      });
      const { port } = http.address() as AddressInfo;
      const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      const url = `http://${host}:${port}/graphql`;
      logger.info({ url, graphiql: !config.isProduction }, 'plaza listening');
      return { port, url };
    },
    /** Stops accepting, sends WebSockets 1001, ends event streams and waits for in-flight requests. */
    async stop(): Promise<void> {
      if (stopping) return;
      stopping = true;
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      // Keep-alive connections go as soon as they fall idle; busy ones finish their request first.
      const sweeper = setInterval(() => http.closeIdleConnections(), 50);
      http.closeIdleConnections();
      await ws.close();
      for (const res of streams) res.end();
      await closed;
      clearInterval(sweeper);
      await yoga.dispose();
      logger.info('http server stopped');
    },
  };
}

export type PlazaServer = ReturnType<typeof createServer>;

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type DocumentNode, type ExecutionArgs, GraphQLError } from 'graphql';
import type { OperationResult } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { bearerToken, type TokenService } from '../auth/tokens.ts';
import type { Viewer } from '../context.ts';
import type { Logger } from '../logger.ts';
import type { PlazaYoga } from './yoga.ts';

export interface WebSocketDeps {
  yoga: PlazaYoga;
  tokens: TokenService;
  logger: Logger;
  maxMessageBytes: number;
  /** `'*'` admits any Origin. */
  allowedOrigins: string[] | '*';
}

type Extra = {
  request?: IncomingMessage;
  viewer?: Viewer;
};

/** The token from `connectionParams.authorization` (any letter case). */
function tokenFromParams(params: Readonly<Record<string, unknown>> | undefined): string | null {
  if (!params) return null;
  const key = Object.keys(params).find((k) => k.toLowerCase() === 'authorization');
  return key ? bearerToken(params[key]) : null;
}

/**
 * graphql-ws (graphql-transport-ws) on the HTTP server's upgrade, executed
 * through `yoga.getEnveloped` so every Yoga plugin (limits, masking) guards
 * WebSocket operations too.
 */
export function createWebSocketLayer({ yoga, tokens, logger, maxMessageBytes, allowedOrigins }: WebSocketDeps) {
  const log = logger.child({ module: 'websocket' });
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes });

  useServer<Record<string, unknown> | undefined, Extra>(
    {
      connectionInitWaitTimeout: 5_000,
      // Returning false closes the socket with 4403 Forbidden.
      onConnect: async (ctx) => {
        const token = tokenFromParams(ctx.connectionParams);
        const userId = token ? await tokens.verify(token) : null;
        if (!userId) return false;
        ctx.extra.viewer = { id: userId };
        // Nothing needs the upgrade request after this; a socket idles for hours, so let it go.
        delete (ctx.extra as Partial<Extra>).request;
        return true;
      },
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onSubscribe: async (ctx, _id, payload) => {
        const enveloped = yoga.getEnveloped({
          ...ctx,
          socket: ctx.extra.socket,
          params: payload,
          viewer: ctx.extra.viewer ?? null,
        });
        let document: DocumentNode;
        try {
          document = enveloped.parse(payload.query);
          const errors = enveloped.validate(enveloped.schema, document);
          if (errors.length > 0) return errors;
        } catch (err) {
          // Syntax errors and limits that throw while parsing or validating are the client's to see.
          if (err instanceof GraphQLError) return [err];
          throw err;
        }
        const args: ExecutionArgs = {
          schema: enveloped.schema,
          operationName: payload.operationName ?? null,
          document,
          variableValues: payload.variables ?? null,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe } as EnvelopedRoot,
        };
        return args;
      },
      onError: (_ctx, _id, _payload, errors) => {
        log.debug({ errors: errors.map((e) => e.message) }, 'operation failed');
      },
    },
    wss,
    12_000,
  );

  return {
    wss,
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer) {
      const { pathname } = new URL(request.url ?? '/', 'http://localhost');
      if (pathname !== '/graphql') return reject(socket, 404, 'Not Found');
      const origin = request.headers.origin;
      // Browsers always send Origin; other clients may not, and CORS is a browser concern.
      if (origin && allowedOrigins !== '*' && !allowedOrigins.includes(origin)) {
        log.info({ origin }, 'websocket origin refused');
        return reject(socket, 403, 'Forbidden');
      }
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
    },
    /** Tells every client to go elsewhere (1001 Going Away) and waits for the sockets to close. */
    async close() {
      const closing = [...wss.clients].map(
        (ws) =>
          new Promise<void>((resolve) => {
            ws.once('close', () => resolve());
            ws.close(1001, 'Server shutting down');
            setTimeout(() => {
              ws.terminate();
              resolve();
            }, 2_000).unref();
          }),
      );
      await Promise.all(closing);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => OperationResult;
  subscribe: (args: ExecutionArgs) => OperationResult;
}

function reject(socket: Duplex, status: number, text: string) {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

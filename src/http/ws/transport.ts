import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../../logger.ts';

/** What each graphql-ws context carries: the socket only (the upgrade request would be held for the socket's whole life). */
export type Extra = { socket: WebSocket };

/** graphql-ws's own "too many" code: its clients do not retry it. */
export const TOO_MANY_MESSAGES = 4429;

/**
 * Serves graphql-ws's protocol engine (`makeServer`) over `ws` sockets. In
 * place of graphql-ws's own `useServer` because that one reports a client
 * that hung up mid-send (EPIPE) with console.error and a stack: a client could
 * flood the log that way. Here a send to a gone socket is nothing, and every
 * real failure goes to the structured log.
 */
export function serveGraphqlWs<P extends Record<string, unknown> | undefined>(
  options: ServerOptions<P, Extra>,
  wss: WebSocketServer,
  {
    logger,
    keepAliveMs,
    messageRate,
    intercept,
  }: {
    logger: Logger;
    keepAliveMs: number;
    /** Messages one socket may send per window; past it the socket is closed with 4429. Null: no limit. */
    messageRate: { points: number; seconds: number } | null | undefined;
    /** Sees every message first; returns null to leave it to graphql-ws. */
    intercept?: Intercept;
  },
) {
  // The wait for connection_init is kept here, for every socket at once (one timer), not by graphql-ws (a timer
  // held by each socket for its whole life).
  const initWaitMs = options.connectionInitWaitTimeout ?? 3_000;
  const awaitingInit = new Map<WebSocket, number>();
  const server = makeServer<P, Extra>({
    ...options,
    connectionInitWaitTimeout: 0,
    onConnect: (ctx) => {
      awaitingInit.delete(ctx.extra.socket);
      return options.onConnect?.(ctx);
    },
  });
  wss.options.handleProtocols = handleProtocols;
  if (initWaitMs > 0) {
    const initSweep = setInterval(() => {
      const now = Date.now();
      for (const [socket, deadline] of awaitingInit) {
        if (deadline > now) continue;
        awaitingInit.delete(socket);
        socket.close(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout');
      }
    }, Math.min(1_000, initWaitMs));
    initSweep.unref();
    wss.once('close', () => clearInterval(initSweep));
  }
  const shared: Shared = { logger, limit: messageRate && messageRate.points > 0 ? messageRate : null, intercept: intercept ?? null };

  // One timer for every socket: a socket that has not answered the last ping by the next round is dead or stuck.
  const unanswered = new WeakSet<WebSocket>();
  const keepAlive = setInterval(() => {
    for (const socket of wss.clients) {
      if (unanswered.has(socket)) {
        socket.terminate();
        continue;
      }
      unanswered.add(socket);
      socket.ping();
    }
  }, keepAliveMs);
  keepAlive.unref();
  wss.once('close', () => clearInterval(keepAlive));
  function answered(this: WebSocket) {
    unanswered.delete(this);
  }

  // Listeners shared by every socket (`this` is the socket): an idle socket holds no closures of its own for them.
  const onError = logSocketError.bind(shared);
  wss.on('connection', (socket: WebSocket) => {
    socket.on('error', onError);
    socket.on('pong', answered);
    if (initWaitMs > 0) awaitingInit.set(socket, Date.now() + initWaitMs);
    const closed = server.opened(new GraphqlWsSocket(socket, shared), { socket });
    socket.on('close', (code, reason) => {
      awaitingInit.delete(socket);
      void closed(code, String(reason));
    });
  });
}

export type Intercept = (socket: WebSocket, text: string) => Promise<void> | null;

interface Shared {
  logger: Logger;
  limit: { points: number; seconds: number } | null;
  intercept: Intercept | null;
}

function logSocketError(this: Shared, err: Error) {
  this.logger.debug({ err: err.message }, 'websocket error');
}

/**
 * The socket as graphql-ws's engine sees it. Its methods live on the
 * prototype and its message window is two numbers: thousands of idle sockets
 * hold no closures of their own here.
 */
class GraphqlWsSocket {
  private readonly ws: WebSocket;
  private readonly shared: Shared;
  // A fixed window kept on the socket, checked synchronously: rate-limiter-flexible answers with a
  // promise, which would delay (and could reorder) every message of every socket.
  private windowStart = Date.now();
  private inWindow = 0;

  constructor(ws: WebSocket, shared: Shared) {
    this.ws = ws;
    this.shared = shared;
  }

  get protocol(): string {
    return this.ws.protocol;
  }

  send(data: string): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.ws.readyState !== this.ws.OPEN) return resolve();
      // A failed write means the client is gone; its close event follows and ends everything.
      this.ws.send(data, () => resolve());
    });
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  onMessage(handle: (data: string) => Promise<void>): void {
    this.ws.on('message', (data) => {
      // Counted before any parsing: a client sending thousands of messages a second is cut off, not served.
      if (!this.allowed()) {
        this.shared.logger.debug('websocket closed: too many messages');
        return this.ws.close(TOO_MANY_MESSAGES, 'Too many messages');
      }
      const text = String(data);
      (this.shared.intercept?.(this.ws, text) ?? handle(text)).catch((err: unknown) => {
        this.shared.logger.error({ err }, 'graphql-ws message failed');
        this.ws.close(CloseCode.InternalServerError, 'Internal server error');
      });
    });
  }

  private allowed(): boolean {
    const limit = this.shared.limit;
    if (!limit) return true;
    const now = Date.now();
    if (now - this.windowStart >= limit.seconds * 1000) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    return ++this.inWindow <= limit.points;
  }
}

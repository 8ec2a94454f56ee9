import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../logger.ts';

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
  }: {
    logger: Logger;
    keepAliveMs: number;
    /** Messages one socket may send per window; past it the socket is closed with 4429. Null: no limit. */
    messageRate: { points: number; seconds: number } | null | undefined;
  },
) {
  const server = makeServer<P, Extra>(options);
  wss.options.handleProtocols = handleProtocols;
  const limit = messageRate && messageRate.points > 0 ? messageRate : null;

  wss.on('connection', (socket: WebSocket) => {
    // A fixed window kept on the socket, checked synchronously: rate-limiter-flexible answers with a
    // promise, which would delay (and could reorder) every message of every socket.
    let windowStart = Date.now();
    let inWindow = 0;
    const allowed = () => {
      if (!limit) return true;
      const now = Date.now();
      if (now - windowStart >= limit.seconds * 1000) {
        windowStart = now;
        inWindow = 0;
      }
      return ++inWindow <= limit.points;
    };
    socket.on('error', (err) => logger.debug({ err: err.message }, 'websocket error'));
    // A socket that does not answer a ping within the next interval is dead or stuck: drop it.
    let alive = true;
    socket.on('pong', () => {
      alive = true;
    });
    const keepAlive = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, keepAliveMs);

    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            // A failed write means the client is gone; its close event follows and ends everything.
            socket.send(data, () => resolve());
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', (data) => {
            // Counted before any parsing: a client sending thousands of messages a second is cut off, not served.
            if (!allowed()) {
              logger.debug('websocket closed: too many messages');
              return socket.close(TOO_MANY_MESSAGES, 'Too many messages');
            }
            handle(String(data)).catch((err: unknown) => {
              logger.error({ err }, 'graphql-ws message failed');
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            });
          }),
      },
      { socket },
    );
    socket.once('close', (code, reason) => {
      clearInterval(keepAlive);
      void closed(code, String(reason));
    });
  });
}

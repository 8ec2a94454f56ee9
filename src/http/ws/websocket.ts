import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type DocumentNode, type ExecutionArgs, GraphQLError } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { type WebSocket, WebSocketServer } from 'ws';
import type { ViewerResolver } from '../../auth/viewer.ts';
import type { Config } from '../../config/index.ts';
import { asRequestError, createMaskError, isExpectedError } from '../../graphql/mask-errors.ts';
import type { DirectSend } from '../../graphql/plugins/direct-results.ts';
import type { PersistedDocuments } from '../../graphql/persisted-documents.ts';
import { isSameForEveryViewer, subscriptionField } from '../../graphql/plugins/shared-results.ts';
import { throttled } from '../../lib/log-throttle.ts';
import type { Logger } from '../../logger.ts';
import { clientIp } from '../guards/client-ip.ts';
import type { ConnectionRegistry } from '../connections/registry.ts';
import { originAllowed } from '../guards/origin.ts';
import { refuseUpgrade } from '../guards/refusals.ts';
import type { UserConnectionLimiter } from '../connections/per-user.ts';
import { CLOSE, END_MESSAGES, forgetToken, tokenFromParams, WsConnection } from './connection.ts';
import { createSubscribeHandler, type WsContext } from './subscribe.ts';
import { serveGraphqlWs } from './transport.ts';
import { type PlazaYoga, requestStandIn } from '../yoga.ts';

export interface WebSocketDeps {
  yoga: PlazaYoga;
  viewers: ViewerResolver;
  registry: ConnectionRegistry;
  userConnections: UserConnectionLimiter;
  config: Config;
  logger: Logger;
  /** APQ and trusted documents: a subscribe may name its document by hash, or only those may run. */
  persistedDocuments: PersistedDocuments;
}

const limitError = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } });

/**
 * graphql-ws (graphql-transport-ws) on the HTTP server's upgrade, executed
 * through `yoga.getEnveloped` so every Yoga plugin (limits, masking,
 * introspection, input policy) guards WebSocket operations too. Adds what a
 * long-lived socket needs: caps per instance, per user and per socket, token
 * expiry and renewal, revocation and slow-consumer handling (the registry).
 */
export function createWebSocketLayer({ yoga, viewers, registry, userConnections, config, logger, persistedDocuments }: WebSocketDeps) {
  const log = logger.child({ module: 'websocket' });
  const { maxSubscriptionsPerConnection: maxOperations, maxViewerSubscriptionsPerConnection: maxQuestions } =
    config.limits;
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxWsMessageBytes });
  const states = new WeakMap<WebSocket, WsConnection>();
  const maskError = createMaskError({ isProduction: config.isProduction });
  const full = throttled(10_000, (suppressed) =>
    log.warn({ open: registry.size, suppressed }, 'websockets refused: MAX_CONNECTIONS reached'),
  );

  // One listener for every socket (`this` is the socket); `on`, not `once` (a socket closes once): `once` would
  // add a wrapper and its state to every idle socket.
  function closed(this: WebSocket) {
    const connection = states.get(this);
    connection?.untrack?.();
    connection?.release?.();
  }
  // Registered before graphql-ws's own listener, so the state exists when its hooks run.
  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    const connection = new WsConnection(socket, clientIp(request, config.trustProxyHops));
    connection.untrack = registry.add(connection);
    states.set(socket, connection);
    socket.on('close', closed);
  });

  /** A `subscribe` message's checks and arguments: errors for the client, or the operation to run. */
  async function prepare(ctx: WsContext, id: string, payload: SubscribePayload, push: DirectSend): Promise<readonly GraphQLError[] | ExecutionArgs> {
    const state = states.get(ctx.extra.socket);
    if (!state?.viewer || Date.now() >= state.viewer.expiresAt) {
      ctx.extra.socket.close(CLOSE.forbidden, END_MESSAGES.expired);
      return [new GraphQLError(END_MESSAGES.expired, { extensions: { code: 'UNAUTHENTICATED' } })];
    }
    // The operation is already entered in ctx.subscriptions.
    if (maxOperations > 0 && Object.keys(ctx.subscriptions).length > maxOperations) {
      return [limitError(`At most ${maxOperations} operations may run at once on one connection`)];
    }
    if (persistedDocuments.applies(payload)) {
      try {
        payload = { ...payload, query: await persistedDocuments.resolve(payload) };
      } catch (err) {
        if (err instanceof GraphQLError) return [err];
        throw err;
      }
    }
    const enveloped = yoga.getEnveloped({ push, params: payload, viewer: state.viewer, ip: state.ip, request: requestStandIn() });
    let document: DocumentNode;
    try {
      document = enveloped.parse(payload.query);
      const errors = enveloped.validate(enveloped.schema, document);
      if (errors.length > 0) return errors.map(asRequestError);
    } catch (err) {
      // Syntax errors and limits that throw while parsing or validating are the client's to see.
      if (err instanceof GraphQLError) return [asRequestError(err)];
      throw err;
    }
    const field = subscriptionField(document, payload.operationName);
    if (field && maxQuestions > 0 && !isSameForEveryViewer(enveloped.schema, field)) {
      const question = `${payload.operationName ?? ''}\u0000${JSON.stringify(payload.variables ?? {})}\u0000${payload.query}`;
      // Counted before the first await: subscribes arrive concurrently and must not all pass the check.
      if (!state.ask(id, question, maxQuestions)) {
        return [limitError(`At most ${maxQuestions} distinct subscriptions whose results depend on the viewer may run on one connection`)];
      }
    }
    const contextValue = await enveloped.contextFactory();
    // What the client sent is not kept for the operation's life (the parsed document is, shared by every copy).
    (contextValue as { params?: unknown }).params = null;
    return {
      schema: enveloped.schema,
      operationName: payload.operationName ?? null,
      document,
      variableValues: payload.variables ?? null,
      contextValue,
      rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
    } satisfies ExecutionArgs;
  }
  const handleSubscribe = createSubscribeHandler({
    prepare,
    mask: (error) => {
      if (!isExpectedError(error)) log.error({ err: error }, 'subscription failed');
      return maskError(error, 'Unexpected error.') as GraphQLError;
    },
    done: (ctx, id) => states.get(ctx.extra.socket)?.forget(id),
  });

  serveGraphqlWs<Record<string, unknown> | undefined>(
    {
      connectionInitWaitTimeout: 5_000,
      onConnect: async (ctx) => {
        const state = states.get(ctx.extra.socket);
        const viewer = await viewers.fromToken(tokenFromParams(ctx.connectionParams));
        // graphql-ws keeps the connection's parameters for its whole life; the token is not needed again.
        forgetToken(ctx.connectionParams);
        // Returning false closes the socket with 4403 Forbidden.
        if (!state || !viewer) return false;
        if (!(await userConnections.acquire(viewer.id, state.id))) {
          log.debug({ userId: viewer.id }, 'websocket refused: too many connections for the user');
          ctx.extra.socket.close(CLOSE.tooManyConnections, 'Too many connections');
          return false;
        }
        state.viewer = viewer;
        state.ctx = ctx;
        state.release = () => userConnections.release(viewer.id, state.id);
        return true;
      },
      // Renewal without reconnecting: `{"type":"ping","payload":{"authorization":"Bearer <new token>"}}`.
      // The pong then carries `{ expiresAt }`; a bad token, or another user's, closes the socket with 4403.
      onPing: async (ctx, payload) => {
        const state = states.get(ctx.extra.socket);
        const token = tokenFromParams(payload);
        if (!state?.viewer || !payload || !token) return;
        const renewed = await viewers.fromToken(token);
        if (!renewed || renewed.id !== state.viewer.id) {
          ctx.extra.socket.close(CLOSE.forbidden, 'Forbidden');
          return;
        }
        state.viewer = renewed;
        const pong = payload as Record<string, unknown>;
        for (const key of Object.keys(pong)) delete pong[key];
        pong.expiresAt = new Date(renewed.expiresAt).toISOString();
      },
    },
    wss,
    {
      logger: log,
      keepAliveMs: 12_000,
      messageRate: config.rateLimits.mutations?.wsMessages,
      intercept: (socket, text) => {
        const ctx = states.get(socket)?.ctx;
        return ctx ? handleSubscribe(ctx, text) : null;
      },
    },
  );

  return {
    wss,
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer) {
      const { pathname } = new URL(request.url ?? '/', 'http://localhost');
      if (pathname !== '/graphql') return refuseUpgrade(socket, 404, 'Not Found');
      // Cross-site WebSocket hijacking: a page elsewhere must not open a socket as its visitor.
      if (!originAllowed(request.headers.origin, config.corsOrigins)) {
        log.debug({ origin: request.headers.origin }, 'websocket origin refused');
        return refuseUpgrade(socket, 403, 'Forbidden');
      }
      if (registry.full()) {
        full();
        return refuseUpgrade(socket, 503, 'Service Unavailable');
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



import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Viewer } from '../../auth/viewer.ts';
import type { Ending } from '../../graphql/plugins/connection-end.ts';
import { acceptsMultipartSubscription } from '../../graphql/plugins/multipart-subscriptions.ts';
import { AppError } from '../../lib/errors.ts';
import { throttled } from '../../lib/log-throttle.ts';
import type { Logger } from '../../logger.ts';
import type { ConnectionRegistry, EndReason } from '../connections/registry.ts';
import { refuseRequest } from '../guards/refusals.ts';
import type { UserConnectionLimiter } from '../connections/per-user.ts';

const END_ERRORS: Record<EndReason, () => AppError> = {
  expired: () => new AppError('UNAUTHENTICATED', 'Token expired'),
  revoked: () => new AppError('UNAUTHENTICATED', 'Signed out'),
};

/** A subscription stream over HTTP: SSE, or Apollo Client's multipart subscription. */
export const isEventStream = (req: IncomingMessage) =>
  req.headers.accept?.includes('text/event-stream') === true || acceptsMultipartSubscription(req.headers.accept);

/**
 * Subscription streams over HTTP (Server-Sent Events, Apollo's multipart) under the same rules as WebSockets: counted
 * against MAX_CONNECTIONS (503) and the user's MAX_CONNECTIONS_PER_USER (429),
 * ended with a final UNAUTHENTICATED error when the token expires or the
 * session is signed out, dropped when the client stops reading.
 */
export function createEventStreams(deps: {
  registry: ConnectionRegistry;
  userConnections: UserConnectionLimiter;
  logger: Logger;
}) {
  const { registry, userConnections } = deps;
  const log = deps.logger.child({ module: 'event-streams' });
  const open = new Set<ServerResponse>();
  const full = throttled(10_000, (suppressed) =>
    log.warn({ open: registry.size, suppressed }, 'event streams refused: MAX_CONNECTIONS reached'),
  );

  return {
    /** Admits a stream (the Ending goes to Yoga's context), or answers the refusal and returns null. */
    async admit(res: ServerResponse, viewer: Viewer | null): Promise<Ending | null> {
      // Gone while its address and token were checked: nothing to hold for it.
      if (res.closed) return null;
      if (registry.full()) {
        full();
        refuseRequest(res, 503, 'SERVICE_UNAVAILABLE', 'This server has no room for another connection', { 'retry-after': '5' });
        return null;
      }
      const id = randomUUID();
      if (viewer && !(await userConnections.acquire(viewer.id, id))) {
        log.debug({ userId: viewer.id }, 'event stream refused: too many connections for the user');
        refuseRequest(res, 429, 'TOO_MANY_CONNECTIONS', 'Too many open connections for this user');
        return null;
      }
      // The client may have hung up while its slot was taken: its 'close' has been and gone, nobody would give the slot back.
      if (res.closed) {
        if (viewer) userConnections.release(viewer.id, id);
        return null;
      }
      const controller = new AbortController();
      const untrack = registry.add({
        kind: 'sse',
        viewer,
        buffered: () => res.writableLength,
        end: (reason) => controller.abort(END_ERRORS[reason]()),
        destroy: () => res.destroy(),
      });
      open.add(res);
      res.once('close', () => {
        untrack();
        open.delete(res);
        if (viewer) userConnections.release(viewer.id, id);
      });
      return { signal: controller.signal };
    },
    /** Ends every stream (shutdown). */
    endAll(): void {
      for (const res of open) res.end();
    },
  };
}

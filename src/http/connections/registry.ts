import { EventEmitter } from 'node:events';
import type { Viewer, ViewerResolver } from '../../auth/viewer.ts';
import { throttled } from '../../lib/log-throttle.ts';
import type { Logger } from '../../logger.ts';

/** Why the server ends a long-lived connection. */
export type EndReason = 'expired' | 'revoked';

/** A WebSocket or a subscription stream over HTTP (SSE or multipart, both kind 'sse'), as the registry sees it. */
export interface Connection {
  kind: 'ws' | 'sse';
  /** Null until a WebSocket has authenticated; replaced when its token is renewed. */
  viewer: Viewer | null;
  /** Bytes written but not yet taken by the client. */
  buffered(): number;
  /** Ends the connection and tells the client why (WebSocket 4403, SSE a final UNAUTHENTICATED error). */
  end(reason: EndReason): void;
  /** Drops it at once: a client that stopped reading cannot be told anything. */
  destroy(): void;
}

export interface ConnectionRegistryOptions {
  viewers: ViewerResolver;
  logger: Logger;
  /** Open connections this instance accepts; 0 = no cap. */
  maxConnections: number;
  /** Unsent bytes above which a connection is dropped; 0 = no cap. */
  maxBufferedBytes: number;
  /** How long output may stay stuck (unsent bytes, no progress) before the connection is dropped; 0 = never. */
  slowConsumerMs: number;
  /** How often expiry and stuck output are checked; default 1 s. */
  sweepMs?: number;
  /** How often the sessions behind open connections are checked again (a revocation event may be lost); default 30 s. */
  recheckMs?: number;
}

interface Watch {
  lastBuffered: number;
  stuckSince: number | null;
}

/**
 * Every long-lived connection of this instance, for the rules that outlive a
 * request: the instance-wide cap, token expiry, revocation, and slow consumers.
 * One sweep a second serves them all, so an idle connection holds no timer.
 */
export function createConnectionRegistry(options: ConnectionRegistryOptions) {
  const { viewers, maxConnections, maxBufferedBytes, slowConsumerMs } = options;
  const log = options.logger.child({ module: 'connections' });
  const open = new Map<Connection, Watch>();
  let dropped = 0;
  const slow = throttled(10_000, (suppressed) => log.info({ dropped: (dropped += suppressed + 1) }, 'slow consumers dropped'));
  /**
   * `dropped` (connection, 'buffered' | 'stuck') for a slow consumer, `ended` (connection, reason) for expiry or revocation,
   * `swept` (time) after each sweep; tests wait on them.
   */
  const events = new EventEmitter();

  function end(connection: Connection, reason: EndReason) {
    connection.end(reason);
    events.emit('ended', connection, reason);
  }

  function sweep() {
    const now = Date.now();
    events.emit('swept', now);
    for (const [connection, watch] of open) {
      if (connection.viewer && now >= connection.viewer.expiresAt) {
        log.debug({ kind: connection.kind, userId: connection.viewer.id }, 'token expired; ending connection');
        end(connection, 'expired');
        continue;
      }
      const buffered = connection.buffered();
      if (buffered === 0 || buffered < watch.lastBuffered) watch.stuckSince = null;
      else watch.stuckSince ??= now;
      watch.lastBuffered = buffered;
      const tooMuch = maxBufferedBytes > 0 && buffered > maxBufferedBytes;
      const stuck = slowConsumerMs > 0 && watch.stuckSince !== null && now - watch.stuckSince >= slowConsumerMs;
      if (tooMuch || stuck) {
        log.debug({ kind: connection.kind, userId: connection.viewer?.id, buffered, stuck }, 'slow consumer dropped');
        slow();
        open.delete(connection);
        connection.destroy();
        events.emit('dropped', connection, tooMuch ? 'buffered' : 'stuck');
      }
    }
  }

  async function recheck() {
    const sessionIds = new Set<string>();
    for (const connection of open.keys()) if (connection.viewer) sessionIds.add(connection.viewer.sessionId);
    if (sessionIds.size === 0) return;
    const active = await viewers.stillActive([...sessionIds]);
    // Only the sessions asked about: a connection that came (or renewed its token) while the answer was awaited
    // is not in it, and was checked when it authenticated.
    for (const connection of open.keys()) {
      const sessionId = connection.viewer?.sessionId;
      if (sessionId && sessionIds.has(sessionId) && !active.has(sessionId)) end(connection, 'revoked');
    }
  }

  const sweeper = setInterval(sweep, options.sweepMs ?? 1_000);
  const rechecker = setInterval(() => {
    recheck().catch((err: Error) => log.warn({ err: err.message }, 'session recheck failed'));
  }, options.recheckMs ?? 30_000);
  sweeper.unref();
  rechecker.unref();

  return {
    events,
    get size() {
      return open.size;
    },
    /** True when one more connection would pass MAX_CONNECTIONS. */
    full(): boolean {
      return maxConnections > 0 && open.size >= maxConnections;
    },
    /** The open connections (tests, metrics). */
    list(): Connection[] {
      return [...open.keys()];
    },
    /** Tracks a connection until the returned function is called. */
    add(connection: Connection): () => void {
      open.set(connection, { lastBuffered: 0, stuckSince: null });
      return () => open.delete(connection);
    },
    /** Asks the database again about the sessions behind open connections (on a timer; tests call it). */
    recheck,
    /** Ends the connections of a revoked session, or of every session of the user. */
    revoked(userId: string, sessionId: string | null): void {
      viewers.revoked(userId, sessionId);
      for (const connection of [...open.keys()]) {
        const viewer = connection.viewer;
        if (viewer?.id === userId && (sessionId === null || viewer.sessionId === sessionId)) end(connection, 'revoked');
      }
    },
    stop(): void {
      clearInterval(sweeper);
      clearInterval(rechecker);
    },
  };
}

export type ConnectionRegistry = ReturnType<typeof createConnectionRegistry>;

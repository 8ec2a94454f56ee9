import { LRUCache } from 'lru-cache';
import type { TokenService } from './tokens.ts';

/** Who is asking: a user, through one session, until the token expires. */
export interface Viewer {
  id: string;
  sessionId: string;
  /** Epoch milliseconds at which the token stops being accepted. */
  expiresAt: number;
}

export interface ViewerResolverDeps {
  tokens: TokenService;
  /** The ids among `sessionIds` that are neither revoked nor expired. */
  activeSessions(sessionIds: readonly string[]): Promise<string[]>;
  /** How long a session found active is trusted without asking again; default 10 s. */
  cacheMs?: number;
}

export interface ViewerResolver {
  /** The viewer a bearer token stands for, or null (no token, bad token, expired, revoked session). */
  fromToken(token: string | null): Promise<Viewer | null>;
  /** Forgets what is known of a revoked session, or of every session of a user (sessionId null). */
  revoked(userId: string, sessionId: string | null): void;
  /** The ids among `sessionIds` still active, asked of the database (a sweep over open connections). */
  stillActive(sessionIds: readonly string[]): Promise<Set<string>>;
}

/**
 * Access tokens are stateless, so revocation needs a look at the session. The
 * answer is cached briefly per session: revocation reaches every instance at
 * once through an event, and the cache bounds the damage when that event is lost.
 */
export function createViewerResolver({ tokens, activeSessions, cacheMs = 10_000 }: ViewerResolverDeps): ViewerResolver {
  const sessions = new LRUCache<string, { userId: string; active: boolean }>({ max: 100_000, ttl: cacheMs });
  // When each user was last signed out everywhere: a lookup that started before it must not be cached as active.
  const userRevocations = new LRUCache<string, number>({ max: 100_000, ttl: cacheMs });

  async function isActive(userId: string, sessionId: string): Promise<boolean> {
    const known = sessions.get(sessionId);
    if (known) return known.active && known.userId === userId;
    const started = performance.now();
    const active = (await activeSessions([sessionId])).includes(sessionId);
    if (sessions.get(sessionId)?.active === false) return false;
    if ((userRevocations.get(userId) ?? -1) >= started) return false;
    sessions.set(sessionId, { userId, active });
    return active;
  }

  return {
    async fromToken(token) {
      if (!token) return null;
      const claims = await tokens.verify(token);
      if (!claims || !(await isActive(claims.userId, claims.sessionId))) return null;
      return { id: claims.userId, sessionId: claims.sessionId, expiresAt: claims.expiresAt };
    },
    revoked(userId, sessionId) {
      if (sessionId) {
        sessions.set(sessionId, { userId, active: false }, { ttl: 0 });
        return;
      }
      userRevocations.set(userId, performance.now());
      for (const [id, entry] of sessions.entries()) {
        if (entry.userId === userId) sessions.set(id, { userId, active: false }, { ttl: 0 });
      }
    },
    async stillActive(sessionIds) {
      if (sessionIds.length === 0) return new Set();
      return new Set(await activeSessions(sessionIds));
    },
  };
}

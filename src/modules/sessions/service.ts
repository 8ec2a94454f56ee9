import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { unauthenticated } from '../../lib/errors.ts';
import { isUuid } from '../../lib/validate.ts';
import type { Executor } from '../../db/client.ts';
import type { Outbox } from '../../realtime/outbox.ts';
import type { Streams } from '../../realtime/streams.ts';
import type { SessionTopics } from './events.ts';
import { retiredRefreshTokens, sessions } from './tables.ts';
import { sameSecret } from '../../lib/same-secret.ts';

export interface SessionServiceDeps {
  db: Database;
  outbox: Outbox<SessionTopics>;
  streams: Streams<SessionTopics>;
  /** Refresh token lifetime, renewed on each use. */
  ttlDays: number;
  /**
   * How long after a rotation the replaced token is merely refused rather than
   * taken as stolen; two tabs refreshing at once both present it. Default 30 s.
   */
  reuseGraceMs?: number;
}

const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex');

function newSecret() {
  const secret = randomBytes(32).toString('base64url');
  return { secret, hash: hashOf(secret) };
}

/** `<session id>.<secret>`; the secret is stored only as a hash. */
function parseRefreshToken(token: string): { sessionId: string; secret: string } | null {
  const [sessionId, secret, extra] = token.split('.');
  if (extra !== undefined || !sessionId || !secret || !isUuid(sessionId)) return null;
  return { sessionId, secret };
}

export function createSessionService({ db, outbox, streams, ttlDays, reuseGraceMs = 30_000 }: SessionServiceDeps) {
  const expiry = sql`now() + make_interval(secs => ${Math.round(ttlDays * 86_400)})`;
  const invalid = () => unauthenticated('Invalid or expired refresh token');

  /** Tells every instance, with the revocation's own commit, to close the connections it ends. */
  function announce(tx: Executor, userId: string, sessionId: string | null) {
    return outbox.record(tx, 'session:revoked', 'all', { userId, sessionId });
  }

  /** Ends one session in the caller's transaction, and tells every instance. */
  async function revokeIn(tx: Executor, userId: string, sessionId: string) {
    await tx
      .update(sessions)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)));
    // A revoked session takes no token any more: what it retired need not be remembered.
    await tx.delete(retiredRefreshTokens).where(eq(retiredRefreshTokens.sessionId, sessionId));
    await announce(tx, userId, sessionId);
  }

  return {
    /** Opens a session for a user who just proved who they are. */
    async start(userId: string): Promise<{ sessionId: string; refreshToken: string }> {
      const { secret, hash } = newSecret();
      const [row] = await db
        .insert(sessions)
        .values({ userId, refreshHash: hash, expiresAt: expiry })
        .returning({ id: sessions.id });
      if (!row) throw new Error('insert returned no row');
      return { sessionId: row.id, refreshToken: `${row.id}.${secret}` };
    },

    /**
     * Trades a refresh token for a new one (rotation). Presenting any token
     * the session rotated away from (but the one just replaced, within the
     * grace period) means it was copied: the whole session is revoked, so a
     * thief who rotated on is cut off too.
     */
    async rotate(refreshToken: string): Promise<{ sessionId: string; userId: string; refreshToken: string }> {
      const parsed = parseRefreshToken(refreshToken);
      if (!parsed) throw invalid();
      const presented = hashOf(parsed.secret);
      const outcome = await outbox.transaction(async (tx) => {
        const [session] = await tx
          .select()
          .from(sessions)
          .where(and(eq(sessions.id, parsed.sessionId), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`)))
          .for('update');
        if (!session) return { kind: 'invalid' as const };
        if (sameSecret(presented, session.refreshHash)) {
          const { secret, hash } = newSecret();
          await tx
            .update(sessions)
            .set({ refreshHash: hash, previousHash: session.refreshHash, rotatedAt: sql`now()`, expiresAt: expiry })
            .where(eq(sessions.id, session.id));
          await tx.insert(retiredRefreshTokens).values({ sessionId: session.id, hash: session.refreshHash }).onConflictDoNothing();
          return { kind: 'rotated' as const, userId: session.userId, refreshToken: `${session.id}.${secret}` };
        }
        // Two tabs refreshing at once both present the token just replaced: that one, briefly, is only refused.
        const justReplaced = sameSecret(presented, session.previousHash);
        if (justReplaced && session.rotatedAt && Date.now() - session.rotatedAt.getTime() < reuseGraceMs) return { kind: 'invalid' as const };
        const [retired] = justReplaced
          ? [{ hash: presented }]
          : await tx
              .select({ hash: retiredRefreshTokens.hash })
              .from(retiredRefreshTokens)
              .where(and(eq(retiredRefreshTokens.sessionId, session.id), eq(retiredRefreshTokens.hash, presented)));
        if (!retired) return { kind: 'invalid' as const };
        await revokeIn(tx, session.userId, session.id);
        return { kind: 'replayed' as const, userId: session.userId };
      });
      if (outcome.kind !== 'rotated') throw invalid();
      return { sessionId: parsed.sessionId, userId: outcome.userId, refreshToken: outcome.refreshToken };
    },

    /** Ends one session: its refresh token and every access token it issued. */
    async revoke(userId: string, sessionId: string): Promise<void> {
      await outbox.transaction((tx) => revokeIn(tx, userId, sessionId));
    },

    /** Ends every session of the user, on every device. */
    async revokeAll(userId: string): Promise<void> {
      await outbox.transaction(async (tx) => {
        const ended = await tx
          .update(sessions)
          .set({ revokedAt: sql`now()` })
          .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
          .returning({ id: sessions.id });
        // A revoked session takes no token any more: what it retired need not be remembered.
        if (ended.length > 0) await tx.delete(retiredRefreshTokens).where(inArray(retiredRefreshTokens.sessionId, ended.map((e) => e.id)));
        await announce(tx, userId, null);
      });
    },

    /** Revocations after `after` (a sequence number) or from now on, every instance's: what closes connections. */
    watchRevocations(after: number | null = null) {
      return streams.watch('session:revoked', 'all', after);
    },

    /** The ids among these that are neither revoked nor expired. */
    async activeIds(ids: readonly string[]): Promise<string[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      const rows = await db
        .select({ id: sessions.id })
        .from(sessions)
        .where(and(inArray(sessions.id, valid), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`)));
      return rows.map((r) => r.id);
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;

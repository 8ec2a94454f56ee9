import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';

const ISSUER = 'plaza';
const AUDIENCE = 'plaza-api';

/** What a valid access token says: who, in which session, until when. */
export interface TokenClaims {
  userId: string;
  sessionId: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export interface TokenService {
  issue(userId: string, sessionId: string): Promise<{ token: string; expiresAt: Date }>;
  /** The claims, or null for a missing, malformed, forged or expired token. Says nothing of revocation. */
  verify(token: string): Promise<TokenClaims | null>;
}

/**
 * Short-lived HS256 access tokens; each names the session that can revoke it.
 * A token verified once is remembered (by its exact text, up to 10,000) until
 * it expires: its signature cannot change, and expiry is checked on every use.
 */
export function createTokenService(secret: string, ttlSeconds: number): TokenService {
  const key = new TextEncoder().encode(secret);
  const verified = new LRUCache<string, TokenClaims>({ max: 10_000 });
  return {
    async issue(userId, sessionId) {
      const expiresAt = Math.floor(Date.now() / 1000) + ttlSeconds;
      const token = await new SignJWT({ sid: sessionId })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setJti(randomUUID())
        .setExpirationTime(expiresAt)
        .sign(key);
      return { token, expiresAt: new Date(expiresAt * 1000) };
    },
    async verify(token) {
      const known = verified.get(token);
      if (known) {
        if (known.expiresAt > Date.now()) return known;
        verified.delete(token);
        return null;
      }
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: AUDIENCE,
          requiredClaims: ['exp', 'sub'],
        });
        if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || typeof payload.exp !== 'number') {
          return null;
        }
        const claims = { userId: payload.sub, sessionId: payload.sid, expiresAt: payload.exp * 1000 };
        verified.set(token, claims);
        return claims;
      } catch (err) {
        if (err instanceof errors.JOSEError || err instanceof TypeError) return null;
        throw err;
      }
    },
  };
}

/** Extracts the token from an `Authorization: Bearer <token>` value. */
export function bearerToken(header: unknown): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

import { eq, inArray, sql } from 'drizzle-orm';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../../auth/passwords.ts';
import type { TokenService } from '../../auth/tokens.ts';
import type { Database } from '../../db/client.ts';
import type { Backoff } from '../../lib/backoff.ts';
import { AppError, badInput, isUniqueViolation, notFound } from '../../lib/errors.ts';
import { isUuid, requireText } from '../../lib/validate.ts';
import type { SessionService } from '../sessions/service.ts';
import { type UserRow, users } from './tables.ts';

const USERNAME = /^[A-Za-z0-9_]{3,32}$/;
const MIN_PASSWORD = 8;
// Hashing cost grows with length; a cap keeps one request from burning a core.
const MAX_PASSWORD = 256;

export interface AuthResult {
  token: string;
  expiresAt: Date;
  refreshToken: string;
  user: UserRow;
}

export interface UserServiceDeps {
  db: Database;
  tokens: TokenService;
  sessions: SessionService;
  /** Sign-in guessing is slowed per account and per IP; null when rate limiting is off. */
  signInBackoff: { account: Backoff; ip: Backoff } | null;
}

export function createUserService({ db, tokens, sessions, signInBackoff }: UserServiceDeps) {
  /** A new session and its first access token. */
  async function signedIn(user: UserRow): Promise<AuthResult> {
    const { sessionId, refreshToken } = await sessions.start(user.id);
    return { ...(await tokens.issue(user.id, sessionId)), refreshToken, user };
  }

  return {
    async signUp(input: { username: string; password: string; displayName?: string | null }): Promise<AuthResult> {
      const username = input.username.trim();
      if (!USERNAME.test(username)) {
        throw badInput('username must be 3 to 32 letters, digits or underscores', 'username');
      }
      if (input.password.length < MIN_PASSWORD || input.password.length > MAX_PASSWORD) {
        throw badInput(`password must be ${MIN_PASSWORD} to ${MAX_PASSWORD} characters`, 'password');
      }
      const displayName =
        input.displayName == null ? username : requireText(input.displayName, 'displayName', { max: 64 });
      const passwordHash = await hashPassword(input.password);
      try {
        const [user] = await db.insert(users).values({ username, displayName, passwordHash }).returning();
        if (!user) throw new Error('insert returned no row');
        return await signedIn(user);
      } catch (err) {
        if (isUniqueViolation(err, 'users_username_lower_key')) throw badInput('username is taken', 'username');
        throw err;
      }
    },

    /**
     * Checks the password. Past a few failures an account, and separately an
     * address, must wait 1, 2, 4, … seconds between attempts (RATE_LIMITED),
     * whether or not the account exists.
     */
    async signIn(input: { username: string; password: string }, ip: string): Promise<AuthResult> {
      const account = input.username.trim().toLowerCase().slice(0, 64);
      // Counted as failures before the password is checked: guesses sent at once see each other.
      const accountAttempt = await signInBackoff?.account.begin(account);
      const ipAttempt = await signInBackoff?.ip.begin(ip).catch(async (err: unknown) => {
        await accountAttempt?.succeeded();
        throw err;
      });
      const [user] = await db.select().from(users).where(eq(sql`lower(${users.username})`, account)).limit(1);
      const ok =
        user && input.password.length <= MAX_PASSWORD
          ? await verifyPassword(user.passwordHash, input.password)
          : await verifyAgainstDummy(input.password.slice(0, MAX_PASSWORD));
      // One message for both cases: it must not tell whether the user exists.
      if (!user || !ok) throw new AppError('UNAUTHENTICATED', 'Invalid username or password');
      // The address keeps its other failures: one account of one's own must not clear the way to guessing others.
      await Promise.all([accountAttempt?.succeeded({ forget: true }), ipAttempt?.succeeded()]);
      return signedIn(user);
    },

    /** A new access token and refresh token for a refresh token (which is used up). */
    async refresh(refreshToken: string): Promise<AuthResult> {
      const rotated = await sessions.rotate(refreshToken);
      const [user] = await db.select().from(users).where(eq(users.id, rotated.userId));
      if (!user) throw notFound('User');
      return { ...(await tokens.issue(user.id, rotated.sessionId)), refreshToken: rotated.refreshToken, user };
    },

    async byIds(ids: readonly string[]): Promise<UserRow[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return db.select().from(users).where(inArray(users.id, valid));
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;

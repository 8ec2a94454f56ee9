import { eq, inArray, sql } from 'drizzle-orm';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../../auth/passwords.ts';
import type { TokenService } from '../../auth/tokens.ts';
import type { Database } from '../../db/client.ts';
import { AppError, badInput, isUniqueViolation } from '../../lib/errors.ts';
import { isUuid, requireText } from '../../lib/validate.ts';
import { type UserRow, users } from './tables.ts';

const USERNAME = /^[A-Za-z0-9_]{3,32}$/;
const MIN_PASSWORD = 8;
// Hashing cost grows with length; a cap keeps one request from burning a core.
const MAX_PASSWORD = 256;

export interface AuthResult {
  token: string;
  user: UserRow;
}

export function createUserService(db: Database, tokens: TokenService) {
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
        return { token: await tokens.issue(user.id), user };
      } catch (err) {
        if (isUniqueViolation(err, 'users_username_lower_key')) throw badInput('username is taken', 'username');
        throw err;
      }
    },

    async signIn(input: { username: string; password: string }): Promise<AuthResult> {
      const [user] = await db
        .select()
        .from(users)
        .where(eq(sql`lower(${users.username})`, input.username.trim().toLowerCase()))
        .limit(1);
      const ok =
        user && input.password.length <= MAX_PASSWORD
          ? await verifyPassword(user.passwordHash, input.password)
          : await verifyAgainstDummy(input.password.slice(0, MAX_PASSWORD));
      // One message for both cases: it must not tell whether the user exists.
      if (!user || !ok) throw new AppError('UNAUTHENTICATED', 'Invalid username or password');
      return { token: await tokens.issue(user.id), user };
    },

    async byIds(ids: readonly string[]): Promise<UserRow[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return db.select().from(users).where(inArray(users.id, valid));
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;

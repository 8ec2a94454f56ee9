import { eq, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { users } from './tables.ts';

/**
 * Who administers: the usernames in `ADMIN_USERNAMES` (any case). Admins
 * read every section and delete any post or story.
 */
export function createAdmins(db: Database, adminUsernames: readonly string[]) {
  const names = [...new Set(adminUsernames.map((name) => name.toLowerCase()))];

  return {
    async isAdmin(userId: string): Promise<boolean> {
      if (names.length === 0) return false;
      const [user] = await db.select({ username: users.username }).from(users).where(eq(users.id, userId));
      return user ? names.includes(user.username.toLowerCase()) : false;
    },

    /** The same as a SQL condition on a user-id expression. */
    isAdminSql(userId: unknown): SQL {
      return names.length === 0
        ? sql`false`
        : sql`exists (select 1 from ${users} u where u.id = ${userId} and lower(u.username) = any(${sql.param(names)}::text[]))`;
    },
  };
}

export type Admins = ReturnType<typeof createAdmins>;

import { encodeGlobalID } from '@pothos/plugin-relay';
import type { App } from '../../src/app.ts';
import type { TestUser } from './http.ts';

/**
 * `count` users with a session each, written straight to the database, and
 * a token for each from the app's own token service: hundreds of buyers
 * without hundreds of password hashes.
 */
export async function manyUsers(app: App, count: number, prefix = 'crowd'): Promise<TestUser[]> {
  const { rows } = await app.runtime.database.pool.query<{ user_id: string; username: string; session_id: string }>(
    `with made as (
       insert into users (username, display_name, password_hash)
       select $2 || '_' || substr(md5(random()::text || g), 1, 12), $2 || ' ' || g, 'not-a-hash' from generate_series(1, $1) g
       returning id, username
     ), sessions_made as (
       insert into sessions (user_id, refresh_hash, expires_at)
       select id, md5(random()::text), now() + interval '1 day' from made
       returning user_id, id
     )
     select s.user_id, m.username, s.id as session_id from sessions_made s join made m on m.id = s.user_id`,
    [count, prefix],
  );
  return Promise.all(
    rows.map(async (row) => {
      const { token, expiresAt } = await app.runtime.tokens.issue(row.user_id, row.session_id);
      return { id: encodeGlobalID('User', row.user_id), username: row.username, token, refreshToken: '', expiresAt: expiresAt.toISOString() };
    }),
  );
}

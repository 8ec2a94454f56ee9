import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { inject } from 'vitest';
import { adminQuery, withDatabase } from '../global-setup.ts';

/**
 * A database of the test's own, copied from the migrated template. Tests that
 * run workers use one, so no other file's workers take their jobs.
 */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = inject('adminDatabaseUrl');
  const name = `${inject('templateDatabase').replace(/_tpl$/, '')}_${randomBytes(4).toString('hex')}`;
  await adminQuery(admin, `create database ${name} template ${inject('templateDatabase')}`);
  return {
    url: withDatabase(admin, name),
    drop: () => adminQuery(admin, `drop database if exists ${name} with (force)`),
  };
}

/**
 * A post with one PENDING link to `url` written straight into the database,
 * with no job and no attempt: what a process that died right after a post's
 * commit leaves. `ageSeconds` back-dates the link.
 */
export async function insertLinkWithoutJob(
  pool: pg.Pool,
  { sectionId, authorId, url, ageSeconds = 0 }: { sectionId: string; authorId: string; url: string; ageSeconds?: number },
): Promise<void> {
  const postId = randomUUID();
  await pool.query('insert into posts (id, section_id, author_id, content) values ($1, $2, $3, $4)', [postId, sectionId, authorId, 'orphaned']);
  await pool.query(
    'insert into links (id, post_id, url, normalized_url, position, created_at) values ($1, $2, $3, $3, 0, now() - make_interval(secs => $4))',
    [randomUUID(), postId, url, ageSeconds],
  );
}

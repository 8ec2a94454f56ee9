import { randomUUID } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import { normalizeUrl } from './normalize.ts';
import { type LinkRow, links } from './tables.ts';

/**
 * A new post's links (PENDING), for the post's own statement: their rows,
 * made here so every column is known without reading them back, and their
 * insert as a statement to put beside the post's (a data-modifying CTE, as
 * the outbox gives its event's), `post` naming the CTE that returns the
 * post's `id`. The links table stays this module's.
 */
export function newLinks(postId: string, urls: readonly string[], createdAt: Date): { rows: LinkRow[]; insert(post: SQL): SQL } {
  const rows: LinkRow[] = urls.map((url, position) => ({
    id: randomUUID(),
    postId,
    position,
    url,
    normalizedUrl: normalizeUrl(url),
    status: 'PENDING',
    metadata: null,
    error: null,
    fetchedAt: null,
    createdAt,
  }));
  return {
    rows,
    insert: (post) => sql`
      insert into ${links} (id, post_id, url, normalized_url, position, created_at)
      select link.id, post.id, link.url, link.normalized_url, link.position - 1, ${createdAt.toISOString()}
      from ${post} as post, unnest(
        ${sql.param(rows.map((l) => l.id))}::uuid[],
        ${sql.param(urls)}::text[],
        ${sql.param(rows.map((l) => l.normalizedUrl))}::text[]
      ) with ordinality as link(id, url, normalized_url, position)
      returning 1`,
  };
}

import { randomUUID } from 'node:crypto';
import { eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
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

/**
 * An edited post's links set to `urls`, in the caller's transaction: a link
 * it keeps (the same normalised URL) keeps its row and preview, one it drops
 * goes, one it adds is inserted PENDING. Returns the added ones, whose jobs
 * the caller enqueues once committed.
 */
export async function replaceLinks(tx: Executor, postId: string, urls: readonly string[], at: Date): Promise<LinkRow[]> {
  const current = await tx.select().from(links).where(eq(links.postId, postId));
  const kept = new Map(current.map((link) => [link.normalizedUrl, link]));
  const wanted = new Set(urls.map(normalizeUrl));
  const dropped = current.filter((link) => !wanted.has(link.normalizedUrl));
  if (dropped.length > 0) await tx.delete(links).where(inArray(links.id, dropped.map((link) => link.id)));
  const added = newLinks(postId, urls, at).rows.filter((row) => !kept.has(row.normalizedUrl));
  for (const [position, url] of urls.entries()) {
    const link = kept.get(normalizeUrl(url));
    if (link && link.position !== position) await tx.update(links).set({ position }).where(eq(links.id, link.id));
  }
  if (added.length > 0) await tx.insert(links).values(added);
  return added;
}

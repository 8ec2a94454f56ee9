import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from './helpers/db.ts';

/**
 * `plaza_claim_link_fetch` (drizzle/): the one place a page's fetch is
 * claimed, by first attempts and jobs alike, under a lock on its host.
 * Called here straight, on a migrated database of its own.
 */
describe('claiming a page’s fetch', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  let sectionId: string;
  let authorId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url });
    authorId = randomUUID();
    sectionId = randomUUID();
    await pool.query("insert into users (id, username, display_name, password_hash) values ($1, $2, $2, 'x')", [authorId, `claims-${authorId.slice(0, 8)}`]);
    await pool.query('insert into sections (id, name, slug, created_by) values ($1, $2, $2, $3)', [sectionId, `claims-${sectionId.slice(0, 8)}`, authorId]);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });
  beforeEach(async () => {
    await pool.query('delete from link_fetches');
  });

  /** A PENDING link to `url` (or in `status`), in a post of its own. */
  async function link(url: string, status = 'PENDING', fetchedAgo?: string): Promise<string> {
    const postId = randomUUID();
    const id = randomUUID();
    await pool.query('insert into posts (id, section_id, author_id, content) values ($1, $2, $3, $4)', [postId, sectionId, authorId, 'claims']);
    await pool.query(
      `insert into links (id, post_id, url, normalized_url, position, status, fetched_at)
       values ($1, $2, $3, $3, 0, $4, ${fetchedAgo ? `now() - interval '${fetchedAgo}'` : 'null'})`,
      [id, postId, url, status],
    );
    return id;
  }

  async function claim(url: string, linkId: string, options: { perHost?: number; onlyIdle?: boolean; useCache?: boolean; seconds?: number } = {}) {
    const { rows } = await pool.query<{ claim_state: string; wait_seconds: number | null }>(
      'select * from plaza_claim_link_fetch($1, $2, $3, $4, $5, $6, $7)',
      [url, linkId, options.perHost ?? 2, options.seconds ?? 60, options.onlyIdle ?? false, options.useCache ?? true, 3600],
    );
    return rows[0]!;
  }

  it('holds a host to its limit, counts hosts apart, and lets a first attempt go only on an idle host', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((p) => `https://one.example/${p}`);
    const other = 'https://two.example:8443/x';
    expect((await claim(a!, await link(a!))).claim_state).toBe('claimed');
    expect((await claim(b!, await link(b!), { onlyIdle: true })).claim_state).toBe('host-busy');
    expect((await claim(b!, await link(b!))).claim_state).toBe('claimed');
    expect((await claim(c!, await link(c!))).claim_state).toBe('host-busy');
    expect((await claim(other, await link(other), { onlyIdle: true })).claim_state).toBe('claimed');
    const { rows } = await pool.query<{ host: string }>('select host from link_fetches order by host');
    expect(rows.map((r) => r.host)).toEqual(['one.example', 'one.example', 'two.example:8443']);
  });

  it('answers page-busy with the holder’s time left; the holder may claim again; an expired claim is free', async () => {
    const url = 'https://three.example/page';
    const holder = await link(url);
    const waiter = await link(url);
    expect((await claim(url, holder, { seconds: 30 })).claim_state).toBe('claimed');
    const busy = await claim(url, waiter);
    expect(busy.claim_state).toBe('page-busy');
    expect(busy.wait_seconds).toBeGreaterThan(25);
    expect(busy.wait_seconds).toBeLessThanOrEqual(30);
    expect((await claim(url, holder)).claim_state).toBe('claimed');
    await pool.query("update link_fetches set expires_at = now() - interval '1 second' where normalized_url = $1", [url]);
    expect((await claim(url, waiter)).claim_state).toBe('claimed');
  });

  it('reads the link and the cache again under the lock: done when the link is final, cached when the page was just fetched', async () => {
    const url = 'https://four.example/page';
    const finished = await link(url, 'READY', '1 minute');
    expect((await claim(url, finished)).claim_state).toBe('done');
    const late = await link(url);
    expect((await claim(url, late)).claim_state).toBe('cached');
    // A refresh skips the cache; a preview older than the cache's life does not count.
    expect((await claim(url, late, { useCache: false })).claim_state).toBe('claimed');
    const stale = 'https://four.example/stale';
    await link(stale, 'READY', '2 hours');
    expect((await claim(stale, await link(stale))).claim_state).toBe('claimed');
    expect(await pool.query('select 1 from link_fetches where normalized_url = $1', [url]).then((r) => r.rowCount)).toBe(1);
  });
});

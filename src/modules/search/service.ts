import { type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import type { ReadableIn } from '../sections/access.ts';
import { type SearchCursor, type SearchKind, SEARCH_KINDS } from './cursor.ts';
import type { SearchTerms } from './query.ts';

/** One result: what it is, its place in the ranking, and the excerpt that matched (HTML-escaped, the match in `<mark>`). */
export interface SearchHit {
  kind: SearchKind;
  id: string;
  score: string;
  highlight: string | null;
}

/** What marks a match in a highlight, and how long an excerpt is. */
const HEADLINE = "StartSel=<mark>, StopSel=</mark>, MaxWords=24, MinWords=8, MaxFragments=1, FragmentDelimiter=' … '";

/** Text made safe to put in HTML before it is marked: a highlight is shown as markup. */
const escaped = (text: SQL) => sql`replace(replace(replace(${text}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')`;
const headline = (text: SQL, tq: SQL) => sql`ts_headline('simple', ${escaped(text)}, ${tq}, ${HEADLINE})`;

/** `%` and `_` in a LIKE pattern taken literally. */
const likePrefix = (words: string) => `${words.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Search over posts (their text and their links' previews), people,
 * products, sections and channels, in one statement: full-text matches
 * (GIN indexes on vectors the database keeps, `websearch_to_tsquery`, the
 * last word typed as a prefix; link titles also in their page's language)
 * and names by trigram similarity (typos) or prefix, ranked together and
 * paged by (score, kind, id). Only what the viewer may read: no post or
 * section of a MEMBERS section they are not in, nothing by or of someone who
 * blocks them or whom they block, no removed product; deleted rows are gone
 * with their row.
 */
export function createSearch({ db, readableBy }: { db: Database; readableBy: (viewerId: string | null) => ReadableIn }) {
  /** The one statement of a search (null when no kind asked for can match); its rows are the page and one more. */
  function statement(viewerId: string, terms: SearchTerms, kinds: readonly SearchKind[], first: number, after: SearchCursor | null): SQL | null {
    const readable = readableBy(viewerId);
    const unblocked = (userId: SQL) =>
      sql`not exists (select 1 from user_blocks b where (b.blocker_id = ${userId} and b.blocked_id = ${viewerId}) or (b.blocker_id = ${viewerId} and b.blocked_id = ${userId}))`;
    // Written out where it is used (its functions are immutable: folded to one constant when planned), so that
    // each `@@` is an index condition.
    const tq = terms.prefix
      ? sql`((websearch_to_tsquery('simple', ${terms.head}) && to_tsquery('simple', ${`${terms.prefix}:*`})) || websearch_to_tsquery('english', ${terms.text}))`
      : sql`(websearch_to_tsquery('simple', ${terms.text}) || websearch_to_tsquery('english', ${terms.text}))`;
    const like = likePrefix(terms.name);
    const nameScore = (...columns: SQL[]) =>
      sql`round((greatest(${sql.join(columns.map((c) => sql`similarity(lower(${c}), ${terms.name})`), sql`, `)})
        + case when ${sql.join(columns.map((c) => sql`lower(${c}) like ${like}`), sql` or `)} then 0.5 else 0 end)::numeric, 6)`;
    const nameMatch = (...columns: SQL[]) => sql.join(columns.map((c) => sql`(${c} % ${terms.name} or ${c} ilike ${like})`), sql` or `);
    const branches: Record<SearchKind, SQL> = {
      // A post matches by its text or by a link's preview (title weighs A, text B): its best match ranks it.
      POST: sql`
        select 'POST'::text as kind, m.id, round(max(m.r)::numeric, 6) as score
        from (
          select p.id, p.section_id, p.author_id, ts_rank(p.search, ${tq}) as r from posts p where p.search @@ ${tq}
          union all
          select p.id, p.section_id, p.author_id, ts_rank(l.search, ${tq}) from links l join posts p on p.id = l.post_id where l.search @@ ${tq}
        ) m
        where ${readable(sql`m.section_id`)} and ${unblocked(sql`m.author_id`)}
        group by m.id`,
      USER: sql`
        select 'USER' as kind, u.id, ${nameScore(sql`u.username`, sql`u.display_name`)} as score
        from users u where (${nameMatch(sql`u.username`, sql`u.display_name`)}) and u.id <> ${viewerId} and ${unblocked(sql`u.id`)}`,
      PRODUCT: sql`
        select 'PRODUCT' as kind, pr.id, greatest(${nameScore(sql`pr.name`)}, round(ts_rank(pr.search, ${tq})::numeric, 6)) as score
        from products pr join channels c on c.id = pr.channel_id
        where (pr.search @@ ${tq} or ${nameMatch(sql`pr.name`)}) and pr.removed_at is null and ${unblocked(sql`c.seller_id`)}`,
      SECTION: sql`
        select 'SECTION' as kind, s.id, ${nameScore(sql`s.name`)} as score
        from sections s where (${nameMatch(sql`s.name`)}) and ${readable(sql`s.id`)}`,
      CHANNEL: sql`
        select 'CHANNEL' as kind, c.id, ${nameScore(sql`c.name`)} as score
        from channels c where (${nameMatch(sql`c.name`)}) and ${unblocked(sql`c.seller_id`)}`,
    };
    const wanted = SEARCH_KINDS.filter((kind) => kinds.includes(kind) && (kind === 'POST' || terms.name.length > 0));
    if (wanted.length === 0) return null;
    const found = sql.join(wanted.map((kind) => branches[kind]), sql` union all `);
    const past = after ? sql`where (r.score, r.kind, r.id::text) < (${after.score}::numeric, ${after.kind}, ${after.id})` : sql``;
    return sql`
      with page as (
        select r.kind, r.id, r.score from (${found}) r ${past}
        order by r.score desc, r.kind desc, r.id::text desc limit ${first + 1}
      )
      select page.kind, page.id, page.score::text as score,
        case page.kind
          when 'POST' then coalesce(
            (select ${headline(sql`p.content`, tq)} from posts p where p.id = page.id and p.search @@ ${tq}),
            (select ${headline(sql`l.metadata->>'title'`, tq)} from links l where l.post_id = page.id and l.search @@ ${tq} order by l.position limit 1),
            (select ${headline(sql`p.content`, tq)} from posts p where p.id = page.id))
          when 'USER' then (select ${headline(sql`u.display_name || ' @' || u.username`, tq)} from users u where u.id = page.id)
          when 'PRODUCT' then (select ${headline(sql`pr.name || coalesce(' — ' || pr.description, '')`, tq)} from products pr where pr.id = page.id)
          when 'SECTION' then (select ${headline(sql`s.name`, tq)} from sections s where s.id = page.id)
          else (select ${headline(sql`c.name`, tq)} from channels c where c.id = page.id)
        end as highlight
      from page
      order by page.score desc, page.kind desc, page.id::text desc`;
  }

  return {
    /** The statement of a search, to run elsewhere (the bench sends it straight to PostgreSQL); null when nothing can match. */
    statement,

    async search(viewerId: string, terms: SearchTerms, kinds: readonly SearchKind[], first: number, after: SearchCursor | null): Promise<{ hits: SearchHit[]; hasNextPage: boolean }> {
      const query = statement(viewerId, terms, kinds, first, after);
      if (!query) return { hits: [], hasNextPage: false };
      const { rows } = await db.execute<SearchHit>(query);
      return { hits: rows.slice(0, first), hasNextPage: rows.length > first };
    },

    /**
     * The plan PostgreSQL makes of a search's statement (EXPLAIN; with `analyze`, run, with its timings), for tests
     * and for operators looking at a slow one.
     */
    async explain(viewerId: string, terms: SearchTerms, kinds: readonly SearchKind[], first: number, { analyze = false } = {}): Promise<string> {
      const query = statement(viewerId, terms, kinds, first, null);
      if (!query) return '';
      const { rows } = await db.execute<{ 'QUERY PLAN': string }>(analyze ? sql`explain (analyze, buffers) ${query}` : sql`explain ${query}`);
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    },
  };
}

export type Search = ReturnType<typeof createSearch>;

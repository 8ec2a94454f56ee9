import pg from 'pg';
import { createDb } from '../../src/db/client.ts';
import { createLogger } from '../../src/logger.ts';
import { createSearch } from '../../src/modules/search/service.ts';
import { searchTerms } from '../../src/modules/search/query.ts';
import { createSectionAccess } from '../../src/modules/sections/access.ts';
import { createAdmins } from '../../src/modules/users/admins.ts';
import { gql, signUp } from '../lib/graphql.ts';
import type { Started } from '../lib/processes.ts';
import { round } from '../lib/stats.ts';
import { load } from './mutations.ts';

const SEARCH = 'query($q: String!) { search(query: $q, first: 20) { edges { highlight node { __typename ... on Post { id } ... on User { id } } } } }';

/** A vocabulary of made-up words (no stop words, no stems in common), drawn with a long tail like real text's. */
const VOCABULARY = 50_000;

/**
 * Fills the database behind `plaza` with `count` posts of twelve words each, drawn from the vocabulary with
 * a skew (word k about as often as 1/k^2 of the commonest: a few words everywhere, most rare), in one
 * section, straight through SQL; then lets autovacuum's work happen (VACUUM ANALYZE).
 */
async function fill(db: pg.Pool, sectionId: string, authorId: string, count: number) {
  await db.query(`create table if not exists bench_vocab (n int primary key, w text)`);
  await db.query(`truncate bench_vocab`);
  await db.query(`insert into bench_vocab select g, 'w' || to_hex(g * 2654435761 % 4294967291) from generate_series(1, ${VOCABULARY}) g`);
  for (let done = 0; done < count; done += 100_000) {
    await db.query(
      `insert into posts (section_id, author_id, content)
       select $1, $2, (select string_agg(v.w, ' ')
                       from (select 1 + floor(${VOCABULARY} * power(random(), 3))::int as n from generate_series(1, 12) k where g > 0) r
                       join bench_vocab v on v.n = r.n)
       from generate_series(1, $3) g`,
      [sectionId, authorId, Math.min(100_000, count - done)],
    );
    process.stderr.write(`search: ${Math.min(done + 100_000, count)} posts\n`);
  }
  await db.query('vacuum analyze posts');
}

/**
 * Search over `count` posts (`BENCH_ONLY=search`, `BENCH_SEARCH_POSTS`, default 1,000,000): one-word and
 * three-word queries (each word in about 0.07–0.3 % of the posts) by 20 searchers at once, in turns:
 * through Plaza's `search` (every kind, permissions, highlights, over HTTP and GraphQL); Plaza's own
 * statement for the same search sent straight to PostgreSQL ("the same query at the SQL level"); and a
 * bare ranked full-text statement on the posts alone (what a hand-rolled search costs).
 */
export async function runSearch(plaza: Started, databaseUrl: string, options: { count: number; seconds: number; concurrency: number; rounds: number }) {
  const db = new pg.Pool({ connectionString: databaseUrl, max: options.concurrency + 2 });
  try {
    const author = await signUp(plaza.url, 'searcher');
    const section = (await gql(plaza.url, 'mutation($i: CreateSectionInput!) { createSection(input: $i) { id } }', { i: { name: 'Bench', slug: `search-${Date.now()}` } }, author.token)).createSection.id;
    const local = (id: string) => Buffer.from(id, 'base64').toString().split(':')[1]!;
    const started = performance.now();
    await fill(db, local(section), local(author.id), options.count);
    const fillSeconds = round((performance.now() - started) / 1000, 0);
    // Words in ~0.01–0.1 % of the posts: what people search for (the commonest words are everywhere).
    const { rows } = await db.query<{ w: string }>(`select w from bench_vocab where n between 200 and 2000 order by random() limit 60`);
    const words = rows.map((r) => r.w);
    const oneWord = (i: number) => words[i % words.length]!;
    const threeWords = (i: number) => `${words[i % words.length]} ${words[(i * 7 + 3) % words.length]} ${words[(i * 13 + 5) % words.length]}`;
    const matches = async (q: string) => Number((await db.query<{ n: string }>(`select count(*) as n from posts where search @@ websearch_to_tsquery('simple', $1)`, [q])).rows[0]!.n);
    const sample = { oneWordMatches: await matches(oneWord(0)), threeWordMatches: await matches(threeWords(0).split(' ').join(' or ')) };
    // The same words the same way (the last one a prefix, as Plaza takes a query being typed), on the posts alone.
    const bare = (q: string) => {
      const words = q.split(' ');
      return db.query(
        `select id, ts_rank(search, websearch_to_tsquery('simple', $1) && to_tsquery('simple', $2)) as r from posts
          where search @@ (websearch_to_tsquery('simple', $1) && to_tsquery('simple', $2)) order by r desc limit 20`,
        [words.slice(0, -1).join(' '), `${words.at(-1)}:*`],
      );
    };
    const viaPlaza = (q: string) => gql(plaza.url, SEARCH, { q }, author.token);
    // Plaza's own statement for the same search (every kind, the viewer's permissions, highlights), sent straight
    // to PostgreSQL: what the server adds over its SQL.
    const direct = createDb({ url: databaseUrl, poolSize: options.concurrency, prepare: true, logger: createLogger('silent') });
    const statements = createSearch({ db: direct.db, readableBy: createSectionAccess(direct.db, createAdmins(direct.db, [])).readableBy });
    const kinds = ['POST', 'USER', 'PRODUCT', 'SECTION', 'CHANNEL'] as const;
    const sameSql = (q: string) => direct.db.execute(statements.statement(local(author.id), searchTerms(q), kinds, 20, null)!);
    type Side = 'plaza' | 'sameSql' | 'bare';
    const runs: Record<Side, (q: string) => Promise<unknown>> = { plaza: viaPlaza, sameSql, bare };
    const sides: Record<string, Record<Side, Array<{ p50Ms: number; p99Ms: number; rps: number; cpuMs?: number; dbCpuMs: number }>>> = {
      oneWord: { plaza: [], sameSql: [], bare: [] },
      threeWords: { plaza: [], sameSql: [], bare: [] },
    };
    try {
      for (let r = 0; r < options.rounds; r++) {
        for (const [name, query] of [['oneWord', oneWord], ['threeWords', threeWords]] as const) {
          const order: Side[] = r % 2 === 0 ? ['plaza', 'sameSql', 'bare'] : ['bare', 'sameSql', 'plaza'];
          for (const side of order) {
            const result = await load((i) => runs[side](query(i)), options.concurrency, options.seconds, side === 'plaza' ? plaza : undefined);
            sides[name]![side].push({ p50Ms: result.p50Ms, p99Ms: result.p99Ms, rps: result.requestsPerSecond, cpuMs: result.cpuMsPerRequest, dbCpuMs: result.dbCpuMsPerRequest });
          }
        }
      }
    } finally {
      await direct.pool.end();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const summarise = (runs: Array<{ p50Ms: number; p99Ms: number; rps: number; cpuMs?: number; dbCpuMs: number }>) => ({
      p50Ms: median(runs.map((x) => x.p50Ms)),
      p99Ms: median(runs.map((x) => x.p99Ms)),
      requestsPerSecond: median(runs.map((x) => x.rps)),
      ...(runs[0]?.cpuMs !== undefined ? { serverCpuMsPerRequest: median(runs.map((x) => x.cpuMs!)) } : {}),
      dbCpuMsPerRequest: median(runs.map((x) => x.dbCpuMs)),
    });
    const result = Object.fromEntries(
      Object.entries(sides).map(([name, s]) => {
        const [plaza, same, bareSide] = [summarise(s.plaza), summarise(s.sameSql), summarise(s.bare)];
        return [
          name,
          {
            plaza,
            sameSql: same,
            bare: bareSide,
            overSameSql: { p50: round(plaza.p50Ms / same.p50Ms), p99: round(plaza.p99Ms / same.p99Ms) },
            overBare: { p50: round(plaza.p50Ms / bareSide.p50Ms), p99: round(plaza.p99Ms / bareSide.p99Ms) },
          },
        ];
      }),
    );
    return { posts: options.count, fillSeconds, concurrency: options.concurrency, rounds: options.rounds, sample, ...result };
  } finally {
    await db.end();
  }
}

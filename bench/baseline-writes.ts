/**
 * The limit `createPost` is measured against: a bare node:http server with a
 * pg pool (the size of Plaza's) that does the same writes in one transaction
 * (the post, its link, the link's job row in pg-boss's table) as a single
 * statement. No GraphQL, no auth, no event, no validation: what the database
 * alone allows from Node. It writes into the database of the Plaza it is
 * measured beside (DATABASE_URL), so the tables and indexes are the same.
 * `POST /post` sends the statement unnamed (pg's default: parsed and planned
 * on every execution), `POST /post-prepared` as a named prepared statement
 * (parsed and planned once per connection), as Plaza does.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 10) });
const INSERT = `
  with post as (
    insert into posts (id, section_id, author_id, content) values ($1, $2, $3, $4) returning id
  ), link as (
    insert into links (id, post_id, url, normalized_url, position) select $5, id, $6, $6, 0 from post returning id
  )
  insert into pgboss.job (name, data, singleton_key, policy)
  select 'link-metadata', jsonb_build_object('linkId', id), id::text, 'stately' from link
  returning id`;

const http = createServer((req, res) => {
  if (req.method !== 'POST' || (req.url !== '/post' && req.url !== '/post-prepared')) return void res.writeHead(404).end();
  const name = req.url === '/post-prepared' ? 'bare_post' : undefined;
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk));
  req.on('end', () => {
    const { sectionId, authorId, content, url } = JSON.parse(body) as Record<string, string>;
    const id = randomUUID();
    pool.query({ name, text: INSERT, values: [id, sectionId, authorId, content, randomUUID(), url] }).then(
      () => res.writeHead(200, { 'content-type': 'application/json' }).end(`{"id":"${id}"}`),
      (err: Error) => res.writeHead(500).end(err.message),
    );
  });
});

http.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ msg: 'write baseline listening', port: (http.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => void pool.end().finally(() => process.exit(0)));

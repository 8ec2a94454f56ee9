import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import pg from 'pg';
import { redisAvailable } from './helpers/app.ts';
import { createTestDatabase } from './helpers/db.ts';
import { CREATE_POST, createSection, gql, signUp, type TestUser } from './helpers/http.ts';
import { type PlazaProcess, startPlazaProcess } from './helpers/process.ts';
import { FakeWeb, html, type Route } from './helpers/web.ts';

const PAGE = '<html><head><title>A page</title><meta property="og:description" content="Fetched."></head></html>';

/** A page the web takes 4 s to answer: its first attempt is still going when the stop hands attempts over (after 2 s). */
const slow: Route = (_req, res) => {
  setTimeout(() => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(PAGE);
  }, 4_000);
};

/**
 * A rolling deploy: instance A takes posts with links to one site as fast as
 * 20 clients can send them, and gets SIGTERM mid-load; B goes on. What A
 * started and will not finish (a first attempt at a slow page, jobs not yet
 * enqueued) is handed over as it stops, and one site's backlog drains at the
 * pace of its pages, so every link of every post A acknowledged is final
 * soon after, without waiting for claims to expire and the sweep to find them.
 */
describe.skipIf(!redisAvailable())('SIGTERM to an instance under load (two processes)', () => {
  let web: FakeWeb;
  let slowWeb: FakeWeb;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: PlazaProcess;
  let b: PlazaProcess;

  beforeAll(async () => {
    web = await new FakeWeb().start();
    web.routes.set('/page', html(PAGE));
    slowWeb = await new FakeWeb().start();
    slowWeb.routes.set('/slow', slow);
    database = await createTestDatabase();
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: inject('redisUrl')!,
      RUN_WORKERS: 'true',
      LINK_FETCH_ALLOW_HOSTS: `127.0.0.1:${web.port},127.0.0.1:${slowWeb.port}`,
      JOB_POLL_SECONDS: '0.5',
    };
    [a, b] = await Promise.all([startPlazaProcess(env), startPlazaProcess(env)]);
  });
  afterAll(async () => {
    a?.child.kill('SIGKILL');
    b?.child.kill('SIGKILL');
    await database?.drop();
    await Promise.all([web?.stop(), slowWeb?.stop()]);
  });

  it('ends every link of every acknowledged post within 15 s of the SIGTERM, and exits 0 within 10 s', async () => {
    const users: TestUser[] = await Promise.all(Array.from({ length: 20 }, () => signUp(b, 'deploy')));
    const section = await createSection(b, users[0]!);
    const acknowledged: string[] = [];
    let stopping = false;
    let n = 0;
    const client = async (user: TestUser) => {
      while (!stopping) {
        const link = `${web.url('/page')}?${n++}`;
        const res = await gql(a, CREATE_POST, { input: { sectionId: section.id, content: 'deploying', links: [link] } }, user.token).catch(() => null);
        if (res?.data?.createPost) acknowledged.push(res.data.createPost.links[0].id);
        else if (res === null) return;
      }
    };
    const clients = users.map(client);
    await vi.waitFor(() => expect(acknowledged.length).toBeGreaterThan(300), { timeout: 20_000, interval: 50 });
    const slowPost = await gql(a, CREATE_POST, { input: { sectionId: section.id, content: 'slow', links: [slowWeb.url('/slow')] } }, users[0]!.token);
    acknowledged.push(slowPost.data!.createPost.links[0].id);
    await vi.waitFor(() => expect(slowWeb.hits.get('/slow')).toBe(1), { timeout: 5_000, interval: 20 });

    const exited = new Promise<number | null>((resolve) => a.child.once('exit', resolve));
    const sigterm = Date.now();
    a.child.kill('SIGTERM');
    stopping = true;
    expect(await exited).toBe(0);
    expect(Date.now() - sigterm).toBeLessThan(10_000);
    await Promise.all(clients);

    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    try {
      const ids = acknowledged.map((id) => Buffer.from(id, 'base64').toString().split(':')[1]);
      const pending = async () =>
        Number((await db.query("select count(*) as n from links where id = any($1::uuid[]) and status = 'PENDING'", [ids])).rows[0].n);
      await vi.waitFor(async () => expect(await pending()).toBe(0), { timeout: Math.max(1, 15_000 - (Date.now() - sigterm)), interval: 200 });
      const final = await db.query('select status, count(*)::int as n from links where id = any($1::uuid[]) group by status', [ids]);
      expect(final.rows).toEqual([{ status: 'READY', n: ids.length }]);
    } finally {
      await db.end();
    }
  }, 90_000);
});

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { redisAvailable } from './helpers/app.ts';
import { createTestDatabase } from './helpers/db.ts';
import { createPost, createSection, signUp } from './helpers/http.ts';
import { type PlazaProcess, startPlazaProcess } from './helpers/process.ts';
import { cursorAfterNewPost, RESUMABLE_POSTS, resumingPostSubscribers, resumingSubscription } from './helpers/resuming-client.ts';
import { wsClient } from './helpers/subscriptions.ts';


const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
/**
 * createPost as a client behind a load balancer makes it: a keep-alive connection that was held by the killed
 * process fails (ECONNRESET, nothing was done) and the request goes again on a new one.
 */
async function postRetrying(plaza: PlazaProcess, user: Awaited<ReturnType<typeof signUp>>, sectionId: string, content: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createPost(plaza, user, sectionId, content);
    } catch (err) {
      if (attempt === 3 || !(err instanceof TypeError && err.message === 'fetch failed')) throw err;
    }
  }
}

/** The pids of the serving processes the supervisor started, in order, from its log. */
const startedPids = (plaza: PlazaProcess) => plaza.logs.filter((l) => l.msg === 'process started').map((l) => Number(l.processPid));

describe.skipIf(!redisAvailable())('PLAZA_PROCESSES=2: two processes on one port', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let plaza: PlazaProcess;
  beforeAll(async () => {
    database = await createTestDatabase();
    plaza = await startPlazaProcess({
      DATABASE_URL: database.url,
      REDIS_URL: inject('redisUrl')!,
      PLAZA_PROCESSES: '2',
      MAX_CONNECTIONS_PER_USER: '0',
    });
  });
  afterAll(async () => {
    for (const pid of startedPids(plaza ?? { logs: [] } as unknown as PlazaProcess)) if (alive(pid)) process.kill(pid, 'SIGKILL');
    plaza?.child.kill('SIGKILL');
    await database?.drop();
  });

  it('answers /metrics for every process at once, whichever process is asked', async () => {
    const user = await signUp(plaza);
    // Sockets are handed to the two processes in turn: each holds some of these.
    const clients = Array.from({ length: 6 }, () => wsClient(plaza, user.token).client);
    await Promise.all(clients.map((client) => new Promise((resolve, reject) => client.subscribe({ query: '{ me { id } }' }, { next: resolve, error: reject, complete: () => {} }))));
    const open = async () => {
      const text = await (await fetch(new URL('/metrics', plaza.url))).text();
      return Number(/^plaza_open_connections\{transport="websocket"\} (\d+)$/m.exec(text)?.[1] ?? -1);
    };
    // Each process holds about half of them; every scrape counts all six.
    for (let i = 0; i < 4; i++) expect(await open()).toBe(6);
    await Promise.all(clients.map((client) => client.dispose()));
  });

  it('a process SIGKILLed is replaced; its clients resume on the other with nothing missed, nothing twice', async () => {
    expect(startedPids(plaza)).toHaveLength(2);
    const user = await signUp(plaza);
    const section = await createSection(plaza, user);
    const start = await cursorAfterNewPost(plaza, user, section.id);
    // Connections are handed to the two processes in turn: half of these are on each.
    const subscribers = resumingPostSubscribers(20, { urls: [plaza.url], token: user.token, sectionId: section.id, after: start });
    const contents = Array.from({ length: 30 }, (_, i) => `post ${i}`);
    for (let i = 0; i < 10; i++) await createPost(plaza, user, section.id, contents[i]!);
    await Promise.all(subscribers.map(({ sub }) => sub.waitFor(10, 15_000)));

    const [victim] = startedPids(plaza);
    process.kill(victim!, 'SIGKILL');
    // Written while one process is dead and before its replacement listens: the other one serves them.
    for (let i = 10; i < 20; i++) await postRetrying(plaza, user, section.id, contents[i]!);
    await expect.poll(() => startedPids(plaza).length, { timeout: 15_000 }).toBe(3);
    await expect.poll(() => plaza.logs.filter((l) => l.msg === 'plaza listening').length, { timeout: 30_000 }).toBe(3);
    for (let i = 20; i < 30; i++) await postRetrying(plaza, user, section.id, contents[i]!);

    const results = await Promise.all(subscribers.map(({ sub }) => sub.waitFor(30, 30_000)));
    for (const result of results) expect(result.map((r) => r.postCreated.content)).toEqual(contents);
    // About half were on the killed process, and reconnected.
    const reconnected = subscribers.filter(({ connections }) => connections() > 1).length;
    expect(reconnected).toBeGreaterThan(0);
    expect(reconnected).toBeLessThan(20);
    expect(plaza.logs.some((l) => l.msg === 'process died; replacing it' && Number(l.processPid) === victim)).toBe(true);
    for (const { sub, client } of subscribers) {
      sub.dispose();
      await client.dispose();
    }
  }, 90_000);

  it('SIGTERM under subscribers drains every process, then the supervisor exits 0', async () => {
    const user = await signUp(plaza);
    const section = await createSection(plaza, user);
    await expect.poll(() => plaza.logs.filter((l) => l.msg === 'plaza listening').length, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
    const closes: Promise<number>[] = [];
    const subs = [];
    for (let i = 0; i < 10; i++) {
      const { client, sub } = resumingSubscription<{ postCreated: { content: string; cursor: string } }>({
        urls: [plaza.url],
        token: user.token,
        query: RESUMABLE_POSTS,
        variables: { id: section.id },
        cursorOf: (data) => data.postCreated.cursor,
      });
      closes.push(new Promise((resolve) => client.on('closed', (event) => resolve((event as { code: number }).code))));
      subs.push(sub);
    }
    // Every subscription live (each has had an event) before the signal: none is caught mid-handshake.
    for (let n = 1; ; n++) {
      await postRetrying(plaza, user, section.id, `load ${n}`);
      const live = await Promise.all(subs.map((sub) => sub.waitFor(1, 2_000).then(() => true, () => false)));
      if (live.every(Boolean)) break;
      if (n === 10) throw new Error('the subscribers did not all get an event');
    }
    const serving = startedPids(plaza).filter(alive);
    expect(serving).toHaveLength(2);
    const exited = new Promise<number | null>((resolve) => plaza.child.once('exit', (code) => resolve(code)));
    const started = Date.now();
    plaza.child.kill('SIGTERM');
    expect(await exited, JSON.stringify(plaza.logs.slice(-20).map((l) => l.msg))).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    // Every socket was closed with 1001 (going away) by the process holding it, and no process is left.
    expect(new Set(await Promise.all(closes))).toEqual(new Set([1001]));
    expect(serving.filter(alive)).toEqual([]);
    expect(plaza.logs.filter((l) => l.msg === 'shutdown complete')).toHaveLength(2);
    expect(plaza.logs.some((l) => l.msg === 'every process stopped' && l.clean === true)).toBe(true);
  }, 60_000);
});

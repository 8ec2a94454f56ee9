import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';
import { createLinkHandOff } from '../src/modules/links/queue/first-attempts.ts';
import type { LinkRow } from '../src/modules/links/tables.ts';
import { insertLinkWithoutJob } from './helpers/db.ts';
import { linkBed } from './helpers/link-bed.ts';
import { createPost, createSection, localIdOf, signUp } from './helpers/http.ts';
import { type PlazaProcess, startPlazaProcess } from './helpers/process.ts';
import { watchLinks } from './helpers/subscriptions.ts';
import { hangsFirst, html } from './helpers/web.ts';

const UPDATES = 'subscription($id: ID!) { linkMetadataUpdated(sectionId: $id) { link { url status metadata { title } } } }';

/**
 * The process that commits a post makes its links' first attempt itself, with
 * no job; the page's claim stands for it. These tests hold that attempt's
 * page open and check what covers it: the sweep leaves an attempt under way
 * alone, and picks the link up once the claim of a killed process expires.
 */
describe('first attempts at a post’s links', () => {
  // Processes of the tests' own share the bed's settings; a claim lasts 3 s per second of their deadline, plus 10 s: 13 s.
  const quick = { LINK_SWEEP_SECONDS: '1', JOB_SUPERVISE_SECONDS: '1', LINK_FETCH_TIMEOUT_MS: '1000' };
  const bed = linkBed({ env: { ...quick, LINK_FETCH_TIMEOUT_MS: '20000' } });
  const env = () => ({ ...bed.env(), ...quick });
  let killed: PlazaProcess | undefined;
  afterAll(() => killed?.child.kill('SIGKILL'));

  it('an attempt under way gets no second one from the sweep; its page is fetched once', async () => {
    const user = await signUp(bed.app);
    const section = await createSection(bed.app, user);
    const { client, updates } = await watchLinks(bed.app, user.token, section.id, UPDATES);
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    let reached!: () => void;
    const pageReached = new Promise<void>((resolve) => (reached = resolve));
    bed.web.routes.set('/held', (req, res) => {
      reached();
      void answered.then(() => html('<html><head><meta property="og:title" content="Held"></head></html>')(req, res));
    });
    bed.web.routes.set('/orphan', html('<html><head><meta property="og:title" content="Orphan"></head></html>'));
    const held = bed.web.url('/held');
    await createPost(bed.app, user, section.id, 'held', [held]);
    await pageReached;

    // A link with no job and no attempt, younger than /held's: once a sweep finds it old enough to take (READY),
    // /held was older still, and PENDING.
    const orphan = bed.web.url('/orphan');
    const pool = bed.app.runtime.database.pool;
    await insertLinkWithoutJob(pool, { sectionId: localIdOf(section.id), authorId: localIdOf(user.id), url: orphan });
    const [first] = await updates.waitFor(1, 20_000);
    expect(first.linkMetadataUpdated.link).toEqual({ url: orphan, status: 'READY', metadata: { title: 'Orphan' } });
    const waiting = await pool.query<{ jobs: number }>("select count(*)::int as jobs from pgboss.job where name = 'link-metadata' and data->>'linkId' in (select id::text from links where url = $1)", [held]);
    expect(waiting.rows[0]!.jobs).toBe(0);

    answer();
    const [, second] = await updates.waitFor(2, 20_000);
    expect(second.linkMetadataUpdated.link).toEqual({ url: held, status: 'READY', metadata: { title: 'Held' } });
    expect(bed.web.hits.get('/held')).toBe(1);
    updates.dispose();
    await client.dispose();
  }, 40_000);

  it('a process SIGKILLed mid-attempt: once its claim expires, the sweep elsewhere finishes the link, announced once', async () => {
    // The attempt of the process about to be killed is never answered; the one after it is.
    const page = hangsFirst(html('<html><head><meta property="og:title" content="Outlived"></head></html>'));
    bed.web.routes.set('/dies', page.route);
    killed = await startPlazaProcess(env());
    const user = await signUp(killed);
    const section = await createSection(killed, user);
    const { client, updates } = await watchLinks(bed.app, user.token, section.id, UPDATES);
    const url = bed.web.url('/dies');
    await createPost(killed, user, section.id, 'dies', [url]);
    await page.reached;
    const died = new Promise((resolve) => killed!.child.once('exit', resolve));
    killed.child.kill('SIGKILL');
    await died;

    const [event] = await updates.waitFor(1, 30_000);
    expect(event.linkMetadataUpdated.link).toEqual({ url, status: 'READY', metadata: { title: 'Outlived' } });
    expect(bed.web.hits.get('/dies')).toBe(2);
    // Announced once: nothing else arrives while the next post's link goes through.
    bed.web.routes.set('/after', html('<html><head><meta property="og:title" content="After"></head></html>'));
    await createPost(bed.app, user, section.id, 'after', [bed.web.url('/after')]);
    const [, next] = await updates.waitFor(2, 20_000);
    expect(next.linkMetadataUpdated.link.url).toBe(bed.web.url('/after'));
    expect(updates.results).toHaveLength(2);
    updates.dispose();
    await client.dispose();
  }, 60_000);

  it('SIGTERM during an attempt that hangs: the process exits 0 within its deadline and hands the link over, READY elsewhere at once', async () => {
    const page = hangsFirst(html('<html><head><meta property="og:title" content="After the stop"></head></html>'));
    bed.web.routes.set('/hangs', page.route);
    const stopping = await startPlazaProcess({ ...env(), LINK_FETCH_TIMEOUT_MS: '60000' });
    const user = await signUp(stopping);
    const section = await createSection(stopping, user);
    const { client, updates } = await watchLinks(bed.app, user.token, section.id, UPDATES);
    const url = bed.web.url('/hangs');
    await createPost(stopping, user, section.id, 'hangs', [url]);
    await page.reached;
    const exited = new Promise<number | null>((resolve) => stopping.child.once('exit', resolve));
    stopping.child.kill('SIGTERM');
    // The fetch would hang for its 60 s deadline; the stop gives first attempts 5 s, within the 10 s shutdown deadline.
    expect(await exited).toBe(0);
    expect(stopping.logs.some((entry) => entry.msg === 'first attempts still running at stop: handed over to the queue')).toBe(true);
    // Handed over as the process stopped (its claim let go, a job queued): a worker here takes it at once, with no
    // wait for the claim to expire and the sweep (30 s) to find the link.
    const [event] = await updates.waitFor(1, 8_000);
    expect(event.linkMetadataUpdated.link).toEqual({ url, status: 'READY', metadata: { title: 'After the stop' } });
    expect(bed.web.hits.get('/hangs')).toBe(2);
    updates.dispose();
    await client.dispose();
  }, 60_000);
});

describe('the hand-off of committed links', () => {
  const link = (id: string, host = `${id}.example.com`) => ({ id, url: `https://${host}/${id}` }) as LinkRow;

  it('attempts at most `max` links at once here and queues the rest, and those an attempt hands back', async () => {
    const queued: string[] = [];
    const handOff = createLinkHandOff({ add: (links) => queued.push(...links.map((l) => l.id)), flush: async () => {} }, createLogger('silent'));
    handOff.add([link('before')]);
    const outcomes = new Map<string, (finished: boolean) => void>();
    handOff.attemptHere((l) => new Promise<boolean>((resolve) => outcomes.set(l.id, resolve)), 2, async () => {});
    handOff.add([link('a'), link('b'), link('c')]);
    expect([...outcomes.keys()]).toEqual(['a', 'b']);
    expect(queued).toEqual(['before', 'c']);
    outcomes.get('a')!(true);
    outcomes.get('b')!(false);
    await handOff.flush();
    expect(queued).toEqual(['before', 'c', 'b']);
    // Room again: the next link is attempted; after stopAttempts, nothing is.
    handOff.add([link('d')]);
    expect(outcomes.has('d')).toBe(true);
    const stopped = handOff.stopAttempts();
    handOff.add([link('e')]);
    expect(queued.at(-1)).toBe('e');
    outcomes.get('d')!(true);
    await stopped;
  });

  it('queues the links of a host that has an attempt under way here', async () => {
    const queued: string[] = [];
    const handOff = createLinkHandOff({ add: (links) => queued.push(...links.map((l) => l.id)), flush: async () => {} }, createLogger('silent'));
    const outcomes = new Map<string, (finished: boolean) => void>();
    handOff.attemptHere((l) => new Promise<boolean>((resolve) => outcomes.set(l.id, resolve)), 8, async () => {});
    handOff.add([link('a', 'site.example'), link('b', 'site.example'), link('c', 'other.example')]);
    expect([...outcomes.keys()]).toEqual(['a', 'c']);
    expect(queued).toEqual(['b']);
    outcomes.get('a')!(true);
    outcomes.get('c')!(true);
    await handOff.flush();
    // The host's attempt over: its next link is attempted here again.
    handOff.add([link('d', 'site.example')]);
    expect(outcomes.has('d')).toBe(true);
    outcomes.get('d')!(true);
    await handOff.flush();
  });

  it('hands over, at stop after the grace period, the attempts still going: claims let go, links queued', async () => {
    const queued: string[] = [];
    const released: string[] = [];
    const handOff = createLinkHandOff({ add: (links) => queued.push(...links.map((l) => l.id)), flush: async () => {} }, createLogger('silent'));
    handOff.attemptHere(() => new Promise<boolean>(() => {}), 4, async (l) => void released.push(l.id));
    handOff.add([link('stuck'), link('also', 'also.example')]);
    await handOff.stopAttempts(50);
    await handOff.flush();
    expect(released.sort()).toEqual(['also', 'stuck']);
    expect(queued.sort()).toEqual(['also', 'stuck']);
  });

  it('queues the link of an attempt that threw', async () => {
    const queued: string[] = [];
    const handOff = createLinkHandOff({ add: (links) => queued.push(...links.map((l) => l.id)), flush: async () => {} }, createLogger('silent'));
    handOff.attemptHere(
      async () => {
        throw new Error('database away');
      },
      4,
      async () => {},
    );
    handOff.add([link('x')]);
    await handOff.flush();
    expect(queued).toEqual(['x']);
  });
});

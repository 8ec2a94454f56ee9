import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { findFreePort } from '../src/lib/ports.ts';
import { verify } from '../src/modules/webhooks/signature.ts';
import { startTestApp } from './helpers/app.ts';
import { codeOf, createPost, createSection, gql, ok, signUp, type TestUser } from './helpers/http.ts';

interface Received {
  id: string;
  key: string;
  seq: number;
  status: number;
  signed: boolean;
}

/**
 * A team's backend standing in: records every request, answers `fail(n)` (the n-th request) with a 503 when it
 * says so, or waits `delayMs` first; it can be stopped and started again on the same port.
 */
class Receiver {
  readonly received: Received[] = [];
  secret = '';
  fail: (n: number) => boolean = () => false;
  delayMs = 0;
  port = 0;
  private server: Server | null = null;
  private waiters: Array<() => void> = [];

  async start(): Promise<this> {
    this.port ||= await findFreePort();
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        const event = JSON.parse(body) as { id: string; key: string; seq: number };
        const status = this.fail(this.received.length + 1) ? 503 : 204;
        const answer = () => {
          this.received.push({ id: event.id, key: event.key, seq: event.seq, status, signed: verify(this.secret, body, String(req.headers['plaza-signature'])) });
          res.writeHead(status).end();
          for (const w of this.waiters.splice(0)) w();
        };
        if (this.delayMs > 0) setTimeout(answer, this.delayMs);
        else answer();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()).closeAllConnections());
  }

  get url() {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  acked(): Received[] {
    return this.received.filter((r) => r.status === 204);
  }

  /** Resolves once `count` events have been acknowledged. */
  async untilAcked(count: number, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.acked().length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.acked().length} of ${count} acknowledged after ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }
}

const CREATE = 'mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { id secret status } }';

describe('webhooks', () => {
  let app: App;
  let env: Record<string, string>;
  let admin: TestUser;
  let author: TestUser;
  /** One receiver per test, each on a port allowed when the app started. */
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    const ports = await Promise.all([findFreePort(), findFreePort(), findFreePort(), findFreePort(), findFreePort()]);
    receivers.push(...ports.map((port) => Object.assign(new Receiver(), { port })));
    const adminName = `admin_${Date.now().toString(36)}`;
    env = {
        RUN_WORKERS: 'true',
        ADMIN_USERNAMES: adminName,
        WEBHOOK_ALLOW_HOSTS: ports.map((p) => `127.0.0.1:${p}`).join(','),
        WEBHOOK_POLL_MS: '50',
        WEBHOOK_MAX_BACKOFF_SECONDS: '1',
        WEBHOOK_MAX_ATTEMPTS: '4',
        WEBHOOK_TIMEOUT_MS: '5000',
    };
    app = await startTestApp({ env });
    admin = await signUp(app, 'admin', adminName);
    author = await signUp(app, 'author');
  });
  afterAll(async () => {
    await app?.stop();
    await Promise.all(receivers.map((r) => r.stop()));
  });

  const register = async (r: Receiver, topics = ['post:created']) => {
    const hook = (await ok(app, CREATE, { i: { url: r.url, topics } }, admin.token)).createWebhook;
    r.secret = hook.secret;
    return hook as { id: string; secret: string };
  };

  it('admins only; no private address unless allowed; known topics only', async () => {
    expect(codeOf(await gql(app, CREATE, { i: { url: 'https://example.com/hook', topics: ['post:created'] } }, author.token))).toBe('FORBIDDEN');
    for (const url of ['http://10.0.0.1/hook', 'http://127.0.0.1:9/hook', 'file:///etc/passwd', 'http://[::1]/x']) {
      expect(codeOf(await gql(app, CREATE, { i: { url, topics: ['post:created'] } }, admin.token))).toBe('BAD_USER_INPUT');
    }
    expect(codeOf(await gql(app, CREATE, { i: { url: 'https://example.com/hook', topics: ['session:revoked'] } }, admin.token))).toBe('BAD_USER_INPUT');
    expect((await ok(app, '{ webhooks { id } }', {}, admin.token)).webhooks).toEqual([]);
  });

  it('every event of every key, in order, through three failures and a restart of the receiver; signed', async () => {
    const r = receivers[0]!;
    await r.start();
    r.fail = (n) => n <= 3;
    await register(r);
    const [s1, s2] = [await createSection(app, author), await createSection(app, author)];
    for (let i = 0; i < 6; i++) await createPost(app, author, i % 2 ? s2.id : s1.id, `first ${i}`);
    await r.untilAcked(3);
    // The receiver goes away mid-run; more is posted meanwhile; it comes back.
    await r.stop();
    for (let i = 0; i < 6; i++) await createPost(app, author, i % 2 ? s2.id : s1.id, `second ${i}`);
    await r.start();
    await r.untilAcked(12);

    expect(r.received.slice(0, 3).every((x) => x.status === 503)).toBe(true);
    expect(r.received.every((x) => x.signed)).toBe(true);
    const byKey = new Map<string, number[]>();
    for (const x of r.acked()) byKey.set(x.key, [...(byKey.get(x.key) ?? []), x.seq]);
    expect(byKey.size).toBe(2);
    for (const seqs of byKey.values()) {
      // In order, none missing, none acknowledged twice.
      expect(seqs).toHaveLength(6);
      expect(seqs).toEqual(Array.from({ length: 6 }, (_, i) => seqs[0]! + i));
    }
    // Attempts made again were only those not acknowledged: no event acknowledged twice.
    expect(new Set(r.acked().map((x) => x.id)).size).toBe(r.acked().length);
    expect(r.received.length).toBeGreaterThan(12);
  });

  it('a slow receiver does not delay another webhook', async () => {
    const [slow, fast] = [receivers[1]!, receivers[2]!];
    await slow.start();
    await fast.start();
    slow.delayMs = 3_000;
    await register(slow);
    await register(fast);
    const section = await createSection(app, author);
    const started = Date.now();
    await createPost(app, author, section.id, 'for both');
    await fast.untilAcked(1, 2_000);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(slow.acked()).toHaveLength(0);
    await slow.untilAcked(1, 10_000);
  });

  it('pauses after WEBHOOK_MAX_ATTEMPTS and, resumed, continues from where it stopped', async () => {
    const r = receivers[3]!;
    await r.start();
    let down = true;
    r.fail = () => down;
    const hook = await register(r);
    const section = await createSection(app, author);
    for (let i = 0; i < 3; i++) await createPost(app, author, section.id, `paused ${i}`);
    const STATUS = '{ webhooks { id status pausedReason } }';
    const deadline = Date.now() + 15_000;
    let status = '';
    // Asked again as each answer comes: the pause is written right after the fourth failed attempt.
    while (status !== 'PAUSED' && Date.now() < deadline) {
      status = (await ok(app, STATUS, {}, admin.token)).webhooks.find((w: { id: string }) => w.id === hook.id).status;
    }
    expect(status).toBe('PAUSED');
    const attempts = r.received.length;
    expect(attempts).toBe(4);
    const deliveries = await ok(app, 'query($w: ID!) { webhookDeliveries(webhookId: $w, first: 10) { edges { node { status attempt responseStatus } } } }', { w: hook.id }, admin.token);
    expect(deliveries.webhookDeliveries.edges[0].node).toEqual({ status: 'FAILED', attempt: 4, responseStatus: 503 });

    down = false;
    expect((await ok(app, 'mutation($w: ID!) { resumeWebhook(webhookId: $w) { status } }', { w: hook.id }, admin.token)).resumeWebhook.status).toBe('ACTIVE');
    await r.untilAcked(3);
    expect(r.acked().map((x) => x.seq)).toEqual([1, 2, 3]);
  });

  it('survives a restart of Plaza: another instance takes over and every event goes out once acknowledged, in order', async () => {
    const r = receivers[4]!;
    await r.start();
    await register(r);
    const section = await createSection(app, author);
    for (let i = 0; i < 5; i++) await createPost(app, author, section.id, `before restart ${i}`);
    await r.untilAcked(5);
    await app.stop();
    app = await startTestApp({ env });
    for (let i = 0; i < 5; i++) await createPost(app, author, section.id, `after restart ${i}`);
    await r.untilAcked(10);
    expect(r.acked().map((x) => x.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('GET /events: pages of the topics in an order that keeps each stream’s, continued from a cursor; admins only', async () => {
    const base = app.url.replace('/graphql', '/events');
    const pull = async (token: string | null, query: string) =>
      fetch(`${base}?${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const page = async (after: string | null, limit = 500) => {
      const res = await pull(admin.token, `topics=post:created&limit=${limit}${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      expect(res.status).toBe(200);
      return (await res.json()) as { events: Array<{ key: string; seq: number; id: string }>; next: string | null };
    };
    // Caught up with everything before.
    let cursor: string | null = null;
    for (let p = await page(null); p.events.length > 0; p = await page(cursor)) cursor = p.next;

    const [s1, s2] = [await createSection(app, author), await createSection(app, author)];
    await Promise.all(Array.from({ length: 8 }, (_, i) => createPost(app, author, i % 2 ? s2.id : s1.id, `pulled ${i}`)));
    const seen: Array<{ key: string; seq: number; id: string }> = [];
    for (let p = await page(cursor, 3); p.events.length > 0; p = await page(cursor, 3)) {
      seen.push(...p.events);
      cursor = p.next;
    }
    const keys = new Set([s1.id, s2.id].map((id) => Buffer.from(id, 'base64').toString().split(':')[1]));
    const mine = seen.filter((e) => keys.has(e.key));
    expect(new Set(mine.map((e) => e.id)).size).toBe(8);
    for (const key of keys) expect(mine.filter((e) => e.key === key).map((e) => e.seq)).toEqual([1, 2, 3, 4]);

    expect((await pull(author.token, 'topics=post:created')).status).toBe(403);
    expect((await pull(null, 'topics=post:created')).status).toBe(401);
    expect((await pull(admin.token, 'topics=session:revoked')).status).toBe(400);
    expect((await pull(admin.token, 'topics=post:created&after=nonsense')).status).toBe(400);
  });
});

import { randomBytes } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import WebSocket from 'ws';
import { attackerRequest, type Outcomes } from './attacker-http.ts';

/**
 * The attacks of the exhaustion issue (one user exhausting the server), each a
 * loop run until stopped beside the older ones (attacks.ts). Every outcome is
 * counted by the code (or status) the server answered with.
 */
export interface ExhaustionTargets {
  url: string;
  token: string;
  /** A refresh token of the attacker's, rotated and replayed. */
  refreshToken: string;
  sectionId: string;
  /** Cursors of the attacker's posts in `sectionId`, oldest first: resumed from, each replay dropped at once. */
  cursors: string[];
  /** Where the attacker serves pages built to be slow to read (its own allowed host). */
  pagesPort: number;
}

const REFRESH = 'mutation($t: String!) { refreshToken(input: { refreshToken: $t }) { refreshToken } }';

type Post = (body: string, headers: Record<string, string>, outcomes: Outcomes) => Promise<void>;

export const ATTACK_PAGES = {
  // A megabyte of JSON-LD openers, none closed.
  '/openers': Buffer.from(`<html><head><title>Openers</title></head><body>${'<script type=application/ld+json>'.repeat(30_000)}`),
  // Fifty thousand unclosed elements: the parser's cost grows with the square of the depth.
  '/deep': Buffer.from(`<html><head><title>Deep</title></head><body>${'<div>'.repeat(50_000)}`),
  // Four URLs of 240 kB in the head.
  '/long-urls': Buffer.from(
    `<html><head><title>Long</title><meta property="og:image" content="https://x.example/${'x'.repeat(240_000)}">` +
      `<meta property="og:url" content="https://x.example/${'y'.repeat(240_000)}"></head></html>`,
  ),
};

/** A page of ~600 kB without a `<`, written a few hundred bytes at a time. */
export function trickle(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/html' });
  res.write('<html><head><title>Trickle</title>');
  let sent = 0;
  const more = () => {
    if (sent >= 600_000 || res.destroyed) return void res.end();
    res.write('a'.repeat(300));
    sent += 300;
    setImmediate(more);
  };
  more();
}

/** The attacker's own web: the crafted pages, and any other path trickled. */
export function serveAttackPages(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const page = ATTACK_PAGES[new URL(req.url ?? '/', 'http://x').pathname as keyof typeof ATTACK_PAGES];
    if (!page) return trickle(res);
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(page);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

const count = (outcomes: Outcomes, code: string) => void (outcomes[code] = (outcomes[code] ?? 0) + 1);

/** Subscribes on a fresh socket and closes it on the first answer: a replay asked for and dropped. */
function dropAfterFirst(url: string, token: string, query: string, variables: Record<string, unknown>, localAddress: string, outcomes: Outcomes): Promise<void> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws', { perMessageDeflate: false, localAddress });
    const done = (code: string) => {
      count(outcomes, code);
      socket.terminate();
      resolve();
    };
    const timer = setTimeout(() => done('no answer'), 5_000);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; payload?: { errors?: Array<{ extensions?: { code?: string } }> } };
      if (message.type === 'connection_ack') return void socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables } }));
      if (message.type !== 'next' && message.type !== 'error') return;
      clearTimeout(timer);
      done(message.payload?.errors?.[0]?.extensions?.code ?? (message.type === 'next' ? 'replayed' : 'error'));
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on('error', () => {});
  });
}

/** An SSE subscription request sent whole, then hung up on before any answer. */
function hangUpOnSse(url: string, token: string, sectionId: string, localAddress: string, outcomes: Outcomes): Promise<void> {
  const target = new URL(url);
  const body = JSON.stringify({ query: 'subscription($s: ID!) { postCreated(sectionId: $s) { id } }', variables: { s: sectionId } });
  return new Promise((resolve) => {
    const socket = connect({ port: Number(target.port), host: target.hostname, localAddress }, () => {
      socket.end(
        `POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nAccept: text/event-stream\r\nContent-Type: application/json\r\n` +
          `Authorization: Bearer ${token}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        () => {
          socket.destroy();
          count(outcomes, 'hung up');
          resolve();
        },
      );
    });
    socket.on('error', () => resolve());
  });
}

/** The loops of every attack of the exhaustion issue, for startAttacks to run beside its own. */
export function exhaustionAttacks(t: ExhaustionTargets, post: Post, localAddress: string) {
  const outcomes: Record<string, Outcomes> = {
    costWithVariables: {},
    replayPinning: {},
    abortedSse: {},
    craftedPages: {},
    signInRace: {},
    refreshReuse: {},
    aliasedSubscriptions: {},
    echoAndReadiness: {},
  };
  const auth = { authorization: `Bearer ${t.token}` };
  const json = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });
  let refreshToken = t.refreshToken;
  const loops: Array<() => Promise<unknown>> = [
    // 1. Page sizes and lists in variables, and an answer of megabytes.
    () => post(json('query($ids: [ID!]!, $n: Int) { nodes(ids: $ids) { ... on Section { posts(first: $n) { edges { node { content } } } } } }', { ids: Array(400).fill(t.sectionId), n: 50 }), auth, outcomes.costWithVariables!),
    () => post(json('query($ids: [ID!]!, $n: Int) { nodes(ids: $ids) { ... on Section { posts(first: $n) { edges { node { content } } } } } }', { ids: Array(100).fill(t.sectionId), n: 10 }), auth, outcomes.costWithVariables!),
    // 2. Resumes from every cursor, each dropped at its first event.
    () => dropAfterFirst(t.url, t.token, 'subscription($s: ID!, $a: String) { postCreated(sectionId: $s, after: $a) { id content } }', { s: t.sectionId, a: t.cursors[Math.floor(Math.random() * t.cursors.length)] }, localAddress, outcomes.replayPinning!),
    // 3. SSE streams hung up on at once.
    () => hangUpOnSse(t.url, t.token, t.sectionId, localAddress, outcomes.abortedSse!),
    // 4. Posts linking to pages built to be slow to read.
    () => post(json('mutation($i: CreatePostInput!) { createPost(input: $i) { id } }', { i: { sectionId: t.sectionId, content: 'pages', links: ['/openers', '/deep', '/long-urls', '/trickle'].map((p) => `http://127.0.0.1:${t.pagesPort}${p}?${randomBytes(4).toString('hex')}`) } }), auth, outcomes.craftedPages!),
    // 5. Wrong passwords for one account, twelve at once.
    () => Promise.all(Array.from({ length: 12 }, () => post(json('mutation($u: String!, $p: String!) { signIn(input: { username: $u, password: $p }) { token } }', { u: 'nobody_in_particular', p: randomBytes(8).toString('hex') }), {}, outcomes.signInRace!))),
    // 6. A refresh token rotated twice, then the first one replayed (the session ends; later rounds are refused).
    async () => {
      const rotate = async (token: string) => {
        const res = await attackerRequest(t.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json(REFRESH, { t: token }) });
        if (!res) {
          count(outcomes.refreshReuse!, 'network');
          return token;
        }
        const body = JSON.parse(res.text) as { data?: { refreshToken?: { refreshToken: string } }; errors?: Array<{ extensions?: { code?: string } }> };
        count(outcomes.refreshReuse!, body.errors?.[0]?.extensions?.code ?? 'rotated');
        return body.data?.refreshToken?.refreshToken ?? token;
      };
      const first = refreshToken;
      refreshToken = await rotate(await rotate(first));
      await rotate(first);
    },
    // 7. Distinct viewer-dependent subscriptions, aliased.
    () => dropAfterFirst(t.url, t.token, 'subscription($s: ID!) { r: postReactionsChanged(sectionId: $s) { id } }', { s: t.sectionId }, localAddress, outcomes.aliasedSubscriptions!),
    // 8. Misspelt input echoed back, suggestions asked for; readiness asked for as fast as it answers.
    () => post(json('mutation($i: SignUpInput!) { signUp(input: $i) { token } }', { i: { usernme: 'x', password: 'y' } }), {}, outcomes.echoAndReadiness!),
    async () => {
      const res = await attackerRequest(t.url.replace('/graphql', '/readiness'), { method: 'GET' });
      count(outcomes.echoAndReadiness!, res ? `readiness ${res.status}` : 'network');
    },
  ];
  return { outcomes, loops };
}

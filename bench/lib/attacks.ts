import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import WebSocket from 'ws';
import { agent, ATTACKER_ADDRESS, type Outcomes } from './attacker-http.ts';
import { exhaustionAttacks } from './attacks-exhaustion.ts';

/**
 * The six attacks of the hardening issue, and those of the exhaustion issue
 * (attacks-exhaustion.ts), each a loop run until stopped, so
 * they can run at once against one instance. Every outcome is counted by the
 * code (or status) the server answered with.
 */
export type { Outcomes } from './attacker-http.ts';

export interface AttackTargets {
  url: string;
  /** A signed-in attacker, the owner of `channelId`, `sectionId` and `postId`. */
  token: string;
  channelId: string;
  sectionId: string;
  postId: string;
  /** An account whose password the attacker guesses. */
  victim: string;
  /** For the exhaustion issue's attacks (attacks-exhaustion.ts): a refresh token of another session of the attacker's. */
  refreshToken: string;
  /** Cursors of the attacker's posts in `sectionId`, oldest first. */
  cursors: string[];
  /** Where the attacker process serves its crafted pages (an allowed host of the instance). */
  pagesPort: number;
}

async function post(url: string, body: string, headers: Record<string, string>, outcomes: Outcomes) {
  try {
    const res = await request(url, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', ...headers }, body });
    const text = await res.body.text();
    const code = /"code":"([A-Z_]+)"/.exec(text)?.[1] ?? String(res.statusCode);
    outcomes[code] = (outcomes[code] ?? 0) + 1;
  } catch {
    outcomes.network = (outcomes.network ?? 0) + 1;
  }
}

/** Opens a socket, sends `count` subscribes, and resolves when every one was answered or the socket closed. */
function floodSocket(url: string, token: string, count: number, query: string, variables: Record<string, unknown>, outcomes: Outcomes) {
  return new Promise<void>((resolve) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws', {
      perMessageDeflate: false,
      localAddress: ATTACKER_ADDRESS,
    });
    let answered = 0;
    const done = () => {
      socket.terminate();
      resolve();
    };
    const timer = setTimeout(done, 5_000);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as {
        type: string;
        payload?: { errors?: Array<{ extensions?: { code?: string } }> } & Array<{ extensions?: { code?: string } }>;
      };
      if (message.type === 'connection_ack') {
        for (let i = 0; i < count; i++) socket.send(JSON.stringify({ id: String(i), type: 'subscribe', payload: { query, variables } }));
        return;
      }
      if (message.type !== 'next' && message.type !== 'error') return;
      const errors = message.type === 'next' ? message.payload?.errors : message.payload;
      const code = errors ? (errors[0]?.extensions?.code ?? 'error') : 'accepted';
      outcomes[code] = (outcomes[code] ?? 0) + 1;
      if (++answered >= count) {
        clearTimeout(timer);
        done();
      }
    });
    socket.on('close', (code) => {
      if (code !== 1005) outcomes[`close ${code}`] = (outcomes[`close ${code}`] ?? 0) + 1;
      clearTimeout(timer);
      resolve();
    });
    socket.on('error', () => {});
  });
}

const forever = async (stopped: () => boolean, step: () => Promise<unknown>) => {
  while (!stopped()) await step();
};

/** Starts every attack; `stop` ends them and returns what each got back. */
export function startAttacks(t: AttackTargets) {
  let stop = false;
  const stopped = () => stop;
  const outcomes: Record<string, Outcomes> = {
    subscriptionFlood: {},
    amplification: {},
    staleTokens: {},
    transports: {},
    costlyDocuments: {},
    noiseAndGuessing: {},
  };
  const exhaustion = exhaustionAttacks(t, (body, headers, counted) => post(t.url, body, headers, counted), ATTACKER_ADDRESS);
  Object.assign(outcomes, exhaustion.outcomes);
  const auth = { authorization: `Bearer ${t.token}` };
  const runs = [
    // 1. One user: many sockets, thousands of subscribes on each.
    ...Array.from({ length: 24 }, () =>
      forever(stopped, () => floodSocket(t.url, t.token, 2_000, 'subscription($id: ID!) { productHighlighted(channelId: $id) { version } }', { id: t.channelId }, outcomes.subscriptionFlood!)),
    ),
    // 2. Thousands of viewer-dependent subscriptions, and reaction toggles to fire them.
    forever(stopped, () => floodSocket(t.url, t.token, 2_000, 'subscription($id: ID!) { postReactionsChanged(sectionId: $id) { id reactions { count viewerHasReacted } } }', { id: t.sectionId }, outcomes.amplification!)),
    forever(stopped, async () => {
      for (const verb of ['addReaction', 'removeReaction']) {
        await post(t.url, JSON.stringify({ query: `mutation($p: ID!) { ${verb}(input: { postId: $p, emoji: "👍" }) { id } }`, variables: { p: t.postId } }), auth, outcomes.amplification!);
      }
    }),
    // 3. Tokens that must not work: forged, and signed by nobody.
    forever(stopped, () => post(t.url, '{"query":"{ me { id } }"}', { authorization: `Bearer ${t.token.slice(0, -6)}AAAAAA` }, outcomes.staleTokens!)),
    // 4. What one transport used to allow: introspection, foreign origins, form posts.
    forever(stopped, () => post(t.url, '{"query":"{ __schema { types { name } } }"}', { ...auth, origin: 'https://evil.example' }, outcomes.transports!)),
    forever(stopped, () => post(t.url, 'query=mutation%20%7B%20signOut%20%7D', { 'content-type': 'application/x-www-form-urlencoded' }, outcomes.transports!)),
    // 5. Unique 8 kB documents, 16 clients.
    ...Array.from({ length: 16 }, () =>
      forever(stopped, () => post(t.url, JSON.stringify({ query: `query Q${randomBytes(6).toString('hex')} { ${'me { __typename } '.repeat(400)}}` }), {}, outcomes.costlyDocuments!)),
    ),
    // 6. Malformed bodies, NUL characters and password guessing.
    forever(stopped, () => post(t.url, '{"query":"{ me { id ', {}, outcomes.noiseAndGuessing!)),
    forever(stopped, () => post(t.url, JSON.stringify({ query: 'mutation($c: String!) { createChannel(input: { name: $c }) { id } }', variables: { c: 'a\u0000b' } }), auth, outcomes.noiseAndGuessing!)),
    forever(stopped, () => post(t.url, JSON.stringify({ query: 'mutation($u: String!, $p: String!) { signIn(input: { username: $u, password: $p }) { token } }', variables: { u: t.victim, p: randomBytes(8).toString('hex') } }), {}, outcomes.noiseAndGuessing!)),
    ...exhaustion.loops.map((step) => forever(stopped, step)),
  ];
  return {
    async stop(): Promise<Record<string, Outcomes>> {
      stop = true;
      await Promise.all(runs);
      return outcomes;
    },
  };
}

import WebSocket from 'ws';
import { gql, signUp } from '../lib/graphql.ts';
import type { Started } from '../lib/processes.ts';
import { round } from '../lib/stats.ts';

const SUB = 'subscription($id: ID!, $after: String) { postCreated(sectionId: $id, after: $after) { id cursor } }';
const CREATE = 'mutation($i: CreatePostInput!) { createPost(input: $i) { id } }';

export interface ResumeResult {
  subscribers: number;
  missed: number;
  /** From the first reconnect to the last subscriber holding every missed event. */
  catchUpMs: number;
  /** Replayed deliveries per second during the catch-up. */
  deliveriesPerSecond: number;
}

/** One subscriber speaking graphql-transport-ws by hand, keeping the cursor of the last event it got. */
function connect(url: string, token: string, sectionId: string, after: string | null, localAddress: string, onEvent: (cursor: string) => void) {
  return new Promise<WebSocket>((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws', { localAddress, perMessageDeflate: false });
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (data) => {
      const text = String(data);
      if (text.includes('"connection_ack"')) {
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: SUB, variables: { id: sectionId, after } } }));
        resolve(socket);
        return;
      }
      const cursor = /"cursor":"([^"]+)"/.exec(text)?.[1];
      if (cursor) onEvent(cursor);
      else if (text.includes('"error"')) reject(new Error(text));
    });
    socket.on('error', reject);
  });
}

/**
 * 1,000 subscribers of one section, each with the cursor of the last post it
 * saw, all lose their connection; 100 posts are made; all reconnect at once
 * with `after`. Measures how long until every one holds all 100.
 */
export async function runResume(plaza: Started, subscribers = 1_000, missed = 100): Promise<ResumeResult> {
  const users = await Promise.all(Array.from({ length: Math.ceil(subscribers / 20) }, (_, i) => signUp(plaza.url, `resume${i}`)));
  const author = users[0]!;
  const section = (await gql(plaza.url, 'mutation($i: CreateSectionInput!) { createSection(input: $i) { id } }', { i: { name: 'Resume', slug: `resume-${Date.now()}` } }, author.token)).createSection.id;
  await gql(plaza.url, CREATE, { i: { sectionId: section, content: 'start' } }, author.token);
  const start = (await gql(plaza.url, 'query($id: ID!) { section(id: $id) { posts(first: 1) { edges { node { cursor } } } } }', { id: section }, author.token)).section.posts.edges[0].node.cursor as string;

  const cursors = new Array<string>(subscribers).fill(start);
  const counts = new Array<number>(subscribers).fill(0);
  const address = (i: number) => `127.0.0.${2 + (i % 200)}`;
  const token = (i: number) => users[i % users.length]!.token;
  let sockets: WebSocket[] = [];
  for (let i = 0; i < subscribers; i += 200) {
    sockets.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(200, subscribers - i) }, (_, k) =>
          connect(plaza.url, token(i + k), section, start, address(i + k), (cursor) => {
            cursors[i + k] = cursor;
          }),
        ),
      )),
    );
  }
  for (const socket of sockets) socket.terminate();

  for (let i = 0; i < missed; i++) await gql(plaza.url, CREATE, { i: { sectionId: section, content: `missed ${i}` } }, author.token);

  let caughtUp = 0;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const started = performance.now();
  sockets = await Promise.all(
    cursors.map((after, i) =>
      connect(plaza.url, token(i), section, after, address(i), () => {
        counts[i] = (counts[i] ?? 0) + 1;
        if (counts[i] === missed && ++caughtUp === subscribers) finish();
      }),
    ),
  );
  await done;
  const catchUpMs = performance.now() - started;
  for (const socket of sockets) socket.terminate();
  return {
    subscribers,
    missed,
    catchUpMs: round(catchUpMs, 0),
    deliveriesPerSecond: round((subscribers * missed) / (catchUpMs / 1000), 0),
  };
}

import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import type { Connection } from '../src/http/connections/registry.ts';
import { startTestApp } from './helpers/app.ts';
import { createSection, localIdOf, ok, signUp, type TestUser } from './helpers/http.ts';
import { RawGraphqlWs } from './helpers/raw-ws.ts';
import { listening } from './helpers/subscriptions.ts';

const POST_CREATED = 'subscription($id: ID!) { postCreated(sectionId: $id) { id content } }';

/** Resolves with how the registry dropped the next slow consumer of this kind. */
function dropped(app: App, kind: 'ws' | 'sse', timeoutMs = 20_000): Promise<string> {
  const events = app.server.registry.events;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${kind} connection dropped`)), timeoutMs);
    events.on('dropped', function on(connection: Connection, why: string) {
      if (connection.kind !== kind) return;
      clearTimeout(timer);
      events.off('dropped', on);
      resolve(why);
    });
  });
}

/** Records events of about 1 MB each for the section, as fast as the database takes them. */
async function flood(app: App, sectionId: string, author: TestUser, count: number) {
  const content = 'x'.repeat(1_000_000);
  for (let i = 0; i < count; i++) {
    const { outbox } = app.runtime;
    await outbox.transaction((tx) =>
      outbox.record(tx, 'post:created', sectionId, {
        id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        sectionId,
        authorId: localIdOf(author.id),
        content,
        createdAt: new Date().toISOString(),
      }),
    );
  }
}

describe.each([
  ['stuck output', { SLOW_CONSUMER_SECONDS: '1', MAX_BUFFERED_BYTES_PER_CONNECTION: '0' }, 'stuck'],
  ['too many unsent bytes', { SLOW_CONSUMER_SECONDS: '0', MAX_BUFFERED_BYTES_PER_CONNECTION: '262144' }, 'buffered'],
] as const)('a client that stops reading is dropped (%s)', (_label, env, why) => {
  let app: App;
  let user: TestUser;
  let section: { id: string };
  beforeAll(async () => {
    app = await startTestApp({ env });
    user = await signUp(app);
    section = await createSection(app, user);
  });
  afterAll(() => app?.stop());

  it('an SSE stream', async () => {
    const sectionId = localIdOf(section.id);
    const live = listening(app, `post:created:${sectionId}`);
    const { port } = new URL(app.url);
    const body = JSON.stringify({ query: POST_CREATED, variables: { id: section.id } });
    const socket = connect(Number(port), '127.0.0.1');
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.on('error', () => {});
    socket.write(
      `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\n` +
        `Authorization: Bearer ${user.token}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    // Never read a byte of the answer.
    socket.pause();
    await live;
    const gone = dropped(app, 'sse');
    await flood(app, sectionId, user, 20);
    expect(await gone).toBe(why);
    expect((await ok(app, '{ me { id } }', {}, user.token)).me.id).toBe(user.id);
    socket.resume();
    await closed;
  });

  it('a WebSocket', async () => {
    const sectionId = localIdOf(section.id);
    const live = listening(app, `post:created:${sectionId}`);
    const { ws } = await RawGraphqlWs.open(app, user.token);
    ws.subscribe('1', POST_CREATED, { id: section.id });
    await live;
    (ws.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const gone = dropped(app, 'ws');
    await flood(app, sectionId, user, 20);
    expect(await gone).toBe(why);
    expect((await ok(app, '{ me { id } }', {}, user.token)).me.id).toBe(user.id);
    ws.close();
  });
});

import { connect } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { App } from '../src/app.ts';
import { redisAvailable } from './helpers/app.ts';
import { METRICS_TOKEN, productionInstance } from './helpers/attack.ts';
import { createPost, createSection, localIdOf, signUp, type TestUser } from './helpers/http.ts';
import { listening, subscribeSse, wsUrl } from './helpers/subscriptions.ts';

const SUBSCRIPTION = 'subscription($s: ID!) { postCreated(sectionId: $s) { id } }';

/** Sends a whole SSE subscription request and hangs up at once, before any answer. */
function postAndHangUp(app: App, token: string, sectionId: string): Promise<void> {
  const { port } = new URL(app.url);
  const body = JSON.stringify({ query: SUBSCRIPTION, variables: { s: sectionId } });
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.end(
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nContent-Type: application/json\r\n` +
          `Authorization: Bearer ${token}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        () => {
          socket.destroy();
          resolve();
        },
      );
    });
    socket.on('error', reject);
  });
}

async function openSseStreams(app: App): Promise<number> {
  const res = await fetch(app.url.replace('/graphql', '/metrics'), { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const line = (await res.text()).split('\n').find((l) => l.startsWith('plaza_open_connections{') && l.includes('"sse"'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe.skipIf(!redisAvailable())('SSE requests aborted at once hold nothing (production mode)', () => {
  let user: TestUser;
  const instance = productionInstance({}, async (app) => {
    user = await signUp(app, 'hangup');
  });

  it('25 streams hung up right after sending leave the user their connection slots', async () => {
    const { id: sectionId } = await createSection(instance.app, user);
    await Promise.all(Array.from({ length: 25 }, () => postAndHangUp(instance.app, user.token, sectionId)));
    await instance.bystander.check();
    // The server has seen every hang-up once nothing it counts is open.
    await vi.waitFor(async () => expect(await openSseStreams(instance.app)).toBe(0), { timeout: 10_000, interval: 100 });

    // A real stream of the same user is admitted and delivers.
    const live = listening(instance.app, `post:created:${localIdOf(sectionId)}`);
    const sub = subscribeSse(instance.app, user.token, SUBSCRIPTION, { s: sectionId });
    await live;
    const post = await createPost(instance.app, user, sectionId, 'after the hang-ups');
    const [first] = await sub.waitFor(1, 10_000);
    expect(first.postCreated.id).toBe(post.id);
    sub.dispose();

    // So is a WebSocket.
    const socket = new WebSocket(wsUrl(instance.app), 'graphql-transport-ws');
    const acked = await new Promise<string>((resolve, reject) => {
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${user.token}` } })));
      socket.on('message', (data) => resolve(JSON.parse(String(data)).type));
      socket.on('close', (code) => reject(new Error(`closed ${code}`)));
    });
    expect(acked).toBe('connection_ack');
    socket.close();
    await instance.bystander.check();
  });
});

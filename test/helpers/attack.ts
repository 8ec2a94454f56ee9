import type { Client } from 'graphql-ws';
import { afterAll, beforeAll } from 'vitest';
import type { App } from '../../src/app.ts';
import { startTestApp } from './app.ts';
import { createPost, createSection, localIdOf, ok, signUp, type TestUser } from './http.ts';
import { listening, type Subscription, subscribeWs, wsClient } from './subscriptions.ts';

export const METRICS_TOKEN = 'metrics-token-for-the-tests-0123';

/** An instance as an attacker meets it: NODE_ENV=production, the suite's PostgreSQL and Redis, default limits but the per-address ones. */
export function startProductionApp(env: Record<string, string> = {}): Promise<App> {
  return startTestApp({ redis: true, env: { NODE_ENV: 'production', METRICS_TOKEN, ...env } });
}

const POST_CREATED = 'subscription($s: ID!) { postCreated(sectionId: $s) { id content } }';

/**
 * Someone else using the instance during an attack: signed in, with a live
 * subscription. `check` asks `{ me { id } }` and posts in its section, and
 * resolves once the subscription has delivered that post.
 */
export async function startBystander(app: App): Promise<{ user: TestUser; check(timeoutMs?: number): Promise<void>; stop(): Promise<void> }> {
  const user = await signUp(app, 'bystander');
  const section = await createSection(app, user);
  const { client }: { client: Client } = wsClient(app, user.token);
  const live = listening(app, `post:created:${localIdOf(section.id)}`);
  const sub: Subscription = subscribeWs(client, POST_CREATED, { s: section.id });
  await live;
  let expected = 0;
  const check = async (timeoutMs = 10_000) => {
    const me = await ok<{ me: { id: string } }>(app, '{ me { id } }', {}, user.token);
    if (me.me.id !== user.id) throw new Error('bystander: me answered another user');
    expected += 1;
    const post = await createPost(app, user, section.id, `bystander ${expected}`);
    const results = await sub.waitFor(expected, timeoutMs);
    if (results.at(-1)?.postCreated.id !== post.id) throw new Error('bystander: the subscription missed its post');
  };
  // Served before any attack starts.
  await check();
  return {
    user,
    check,
    stop: async () => {
      sub.dispose();
      await client.dispose();
    },
  };
}

export type Bystander = Awaited<ReturnType<typeof startBystander>>;

/**
 * A production-mode instance and a bystander for the describe block it is
 * called in: started before its tests, stopped after them. `setUp` runs once
 * the instance is up, before the bystander starts.
 */
export function productionInstance(env: Record<string, string> = {}, setUp?: (app: App) => Promise<void>): { app: App; bystander: Bystander } {
  const held = {} as { app: App; bystander: Bystander };
  beforeAll(async () => {
    held.app = await startProductionApp(env);
    await setUp?.(held.app);
    held.bystander = await startBystander(held.app);
  }, 120_000);
  afterAll(async () => {
    await held.bystander?.stop();
    await held.app?.stop();
  });
  return held;
}

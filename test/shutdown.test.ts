import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { startPlazaProcess } from './helpers/process.ts';
import { createSection, localIdOf, signUp } from './helpers/http.ts';
import { subscribeSse, subscribeWs, wsClient } from './helpers/subscriptions.ts';

let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
});

/** Starts `src/main.ts` as its own process, as `npm start` does. */
async function startProcess() {
  const started = await startPlazaProcess();
  child = started.child;
  return started;
}

describe('SIGTERM', () => {
  it('closes WebSockets with 1001, ends SSE streams, and exits 0 within 10 s', async () => {
    const { url, logs } = await startProcess();
    const app = { url };
    const user = await signUp(app);
    const section = await createSection(app, user);
    const { client, closed } = wsClient(app, user.token);
    const ws = subscribeWs(client, 'subscription($id: ID!) { postCreated(sectionId: $id) { id } }', { id: section.id });
    const sse = subscribeSse(app, user.token, 'subscription($id: ID!) { postCreated(sectionId: $id) { id } }', {
      id: section.id,
    });
    // Both subscriptions are live once the server has answered a request made after them on each transport.
    await new Promise((resolve, reject) =>
      client.subscribe({ query: '{ me { id } }' }, { next: resolve, error: reject, complete: () => {} }),
    );
    expect(localIdOf(section.id)).not.toBe('');

    const started = Date.now();
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child!.kill('SIGTERM');
    expect(await closed).toBe(1001);
    const code = await exited;
    expect(code, JSON.stringify(logs.map((l) => l.msg))).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(logs.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['shutting down', 'http server stopped', 'database pool closed', 'shutdown complete']),
    );
    // The client sees the server going away; a reconnecting client would move to another instance.
    expect((ws.errors[0] as { code?: number }).code).toBe(1001);
    sse.dispose();
    await client.dispose();
  });
});

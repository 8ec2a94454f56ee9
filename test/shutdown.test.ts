import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { TEST_JWT_SECRET } from './helpers/app.ts';
import { createSection, localIdOf, signUp } from './helpers/http.ts';
import { subscribeSse, subscribeWs, wsClient } from './helpers/subscriptions.ts';

let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
});

/** Starts `src/main.ts` as its own process, as `npm start` does, and resolves with its URL. */
function startProcess(): Promise<{ url: string; logs: Array<Record<string, unknown>> }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: inject('databaseUrl'),
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'info',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'plaza-shutdown-')),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child = proc;
  const logs: Array<Record<string, unknown>> = [];
  return new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`server exited early with ${code}`)));
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      if (entry.msg === 'plaza listening') resolve({ url: String(entry.url), logs });
    });
  });
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
